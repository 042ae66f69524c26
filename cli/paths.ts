/**
 * Files named on the command line are the user's: relative to the directory the command was typed in. Under
 * `npm run mirror -- …` / `npm run check -- …` the process runs in the package root, and npm tells where the user was
 * in `INIT_CWD`; elsewhere (`npx`, `node dist/cli/main.js`) that is the working directory.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "./usageError";

/** The directory relative paths are resolved against: `INIT_CWD` when npm set it, else the working directory. */
export function userDirectory(): string {
    return process.env.INIT_CWD || process.cwd();
}

/** `file` as an absolute path: `~/…` in the home directory, a relative path in {@link userDirectory}. */
export function userPath(file: string): string {
    if (file === "~" || file.startsWith("~/")) return path.join(os.homedir(), file.slice(1));
    return path.resolve(userDirectory(), file);
}

/** `<option> <given>: <absolute path> does not exist` — the one wording for a missing file, whatever the option. */
export function missingFile(option: string, given: string, resolved: string): UsageError {
    return new UsageError(`${option} ${given}: ${resolved} does not exist`);
}

/** The absolute path of an existing file given to `option`; a {@link UsageError} showing the resolved path otherwise. */
export function existingFile(option: string, given: string): string {
    const resolved = userPath(given);
    if (!fs.existsSync(resolved)) throw missingFile(option, given, resolved);
    return resolved;
}

/** Reads a file given to `option` (already resolved), with the same wording when it is missing. */
export function readUserFile(option: string, given: string, resolved: string): string {
    try {
        return fs.readFileSync(resolved, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT") throw missingFile(option, given, resolved);
        throw new UsageError(`${option} ${given}: cannot read ${resolved} (${(e as Error).message})`);
    }
}
