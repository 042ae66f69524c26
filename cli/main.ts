#!/usr/bin/env node
/**
 * The `dify-plugin-registry` command (the package's `bin`). Subcommands: `mirror` (see `mirrorCommand.ts`) and `check`
 * (see `checkCommand.ts`).
 */
import { EXIT } from "./usageError";

/** Top-level usage text. */
export const USAGE = `Usage: dify-plugin-registry <command> [options]

Commands:
  mirror   copy the images a Dify chart version needs into a private registry (--help for its options)
  check    prove a registry prefix takes plugin images: reachable, login accepted, push and pull allowed
`;

/** Runs the command line `argv` (without node and the script); resolves with the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
    const [command, ...rest] = argv;
    const out = { write: (text: string) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true };
    const err = { write: (text: string) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true };
    // Each command's modules load only when it runs: start-up is most of a no-op re-sync's time.
    if (command === "mirror") return (await import("./mirrorCommand")).runMirrorCommand(rest, out, err);
    if (command === "check") return (await import("./checkCommand")).runCheckCommand(rest, out, err);
    if (command === undefined) {
        err.write(USAGE);
        return EXIT.usage;
    }
    if (command === "--help" || command === "-h" || command === "help") {
        const [{ MIRROR_USAGE }, { CHECK_USAGE }] = await Promise.all([import("./mirrorCommand"), import("./checkCommand")]);
        out.write(`${USAGE}\n${MIRROR_USAGE}\n${CHECK_USAGE}`);
        return EXIT.ok;
    }
    err.write(`dify-plugin-registry: unknown command ${JSON.stringify(command)}\n${USAGE}`);
    return EXIT.usage;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (e: unknown) => {
            process.stderr.write(`dify-plugin-registry: ${(e as Error)?.stack ?? String(e)}\n`);
            process.exitCode = EXIT.failed;
        },
    );
}
