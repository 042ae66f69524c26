/** The `dify-plugin-registry` CLI as a child process (node --import tsx cli/main.ts), for the commands' tests. */
import { spawn } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/** What a CLI run gave. */
export interface CliRun {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs the CLI with a HOME holding no docker config, so only --auth-file logs in. */
export function runCli(args: readonly string[], home: string, env: Record<string, string> = {}): Promise<CliRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", ...args], {
            cwd: ROOT,
            env: { ...process.env, HOME: home, DOCKER_CONFIG: path.join(home, ".docker"), ...env },
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
