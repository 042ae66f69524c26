/** The `dify-plugin-registry` CLI as a child process (node --import tsx cli/main.ts), for the commands' tests. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = path.resolve(__dirname, "..", "..");
const TSX = pathToFileURL(path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** What a CLI run gave. */
export interface CliRun {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Where the CLI runs: its working directory (default the repository root). */
export interface CliPlace {
    readonly cwd?: string;
}

/**
 * Runs the CLI with a HOME holding no docker config, so only --auth-file logs in. `INIT_CWD` (which `npm test` sets
 * to wherever it was typed) is dropped unless `env` gives one: relative paths are then the working directory's.
 */
export function runCli(args: readonly string[], home: string, env: Record<string, string> = {}, place: CliPlace = {}): Promise<CliRun> {
    // tsx by its file: `--import tsx` is resolved from the working directory, which may be outside the repository.
    return runProcess(process.execPath, ["--import", TSX, path.join(ROOT, "cli", "main.ts"), ...args], home, env, place);
}

/** Runs any command (`npm run …`) the way {@link runCli} runs the CLI. */
export function runProcess(
    command: string,
    args: readonly string[],
    home: string,
    env: Record<string, string> = {},
    place: CliPlace = {},
): Promise<CliRun> {
    return new Promise((resolve, reject) => {
        const { INIT_CWD: _npmsCwd, ...inherited } = process.env;
        const child = spawn(command, [...args], {
            cwd: place.cwd ?? ROOT,
            env: { ...inherited, HOME: home, DOCKER_CONFIG: path.join(home, ".docker"), ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.once("error", reject);
        child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
}
