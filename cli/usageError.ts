import { parseArgs, type ParseArgsConfig } from "node:util";

/** Raised for bad command lines: printed with a hint, exit status 2, before any work starts. */
export class UsageError extends Error {}

/** Exit status of every command: 0 all good, 1 a failure (named on stderr), 2 a usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** `node:util`'s `parseArgs` (strict, no positionals) with its errors as {@link UsageError}s. */
export function parseOptions(argv: readonly string[], options: NonNullable<ParseArgsConfig["options"]>) {
    try {
        return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values as Record<
            string,
            string | boolean | (string | boolean)[] | undefined
        >;
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
}
