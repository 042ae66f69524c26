/**
 * `dify-plugin-registry check`: proves that a registry prefix takes plugin images — it answers, the login is accepted,
 * and the login may push and pull there — leaving nothing behind (`engines/pushCheck/check.ts`).
 */
import { existingFile, missingFile, userPath } from "./paths";
import { bareInsecure, defaultAuthFile, insecureHosts, parseCaFileArg } from "./registryOptions";
import { EXIT, UsageError, parseOptions } from "./usageError";
import * as fs from "node:fs";
// Module by module, not the index: the CLI must not load @pulumi/pulumi (the index exports the Pulumi resources).
import {
    type CheckReport,
    type CheckStepResult,
    checkRegistry,
    formatCheckStep,
    formatCheckVerdict,
    parseCheckPrefix,
    prefixProblem,
} from "../engines/pushCheck/check";
import type { Output } from "./progress";

/** Exit status: 0 every step passed, 1 a step failed, 2 a usage error (nothing was sent). */
export const CHECK_EXIT = EXIT;

/** Usage text of the `check` command. */
export const CHECK_USAGE = `Usage: dify-plugin-registry check --prefix <host[:port]/path> [options]

Proves that plugin images can be pushed under a prefix, before Dify needs it: the registry answers, the login is
accepted, and it may push (a blob upload is opened in <prefix>/dify-plugin-registry-check and cancelled: no
repository, tag or blob is written) and pull there. One line per step; exit 0 when all pass, 1 naming the step
that failed, 2 for usage errors.

  --prefix <host[:port]/path>   what plugin images are pushed under (plugin_connector.imageRepoPrefix), required
  --auth-file <file>            docker config with the login (default $DOCKER_CONFIG/config.json or ~/.docker/config.json);
                                the Secret's: kubectl -n dify get secret image-repo-secret -o jsonpath='{.data.config\\.json}' | base64 -d
  --ca-file [HOST=]<file>       extra CA certificate (PEM) to trust; a bare file is for the prefix's registry (repeatable)
  --insecure [HOST]             speak plain HTTP to HOST; without HOST, to the prefix's registry (repeatable)
  -h, --help                    this text

Relative paths are taken from the directory the command was run in (under npm run, npm's INIT_CWD).
`;

/** The parsed command line. */
export interface CheckCommandOptions {
    readonly prefix: string;
    readonly authFile?: string;
    /** PEM files (absolute) by registry host. */
    readonly caFiles: Readonly<Record<string, readonly string[]>>;
    /** Registries spoken to in plain HTTP (a bare `--insecure`: the prefix's). */
    readonly insecure: readonly string[];
    readonly help: boolean;
}

/** Raised for bad command lines: printed with a hint, exit status 2 (the CLI's one usage error). */
export const CheckUsageError = UsageError;

/** Parses `check` arguments; throws {@link CheckUsageError} naming the problem. Reads no file but `--ca-file`'s existence. */
export function parseCheckArgs(argv: readonly string[]): CheckCommandOptions {
    const values = parseOptions(bareInsecure(argv), {
        prefix: { type: "string" },
        "auth-file": { type: "string" },
        "ca-file": { type: "string", multiple: true, default: [] },
        // The mirror command's grammar: `--insecure` alone is the prefix's registry, `--insecure HOST` names one.
        insecure: { type: "string", multiple: true, default: [] },
        help: { type: "boolean", short: "h", default: false },
    });
    if (values.help) return { prefix: "", caFiles: {}, insecure: [], help: true };
    const prefix = values.prefix as string | undefined;
    if (!prefix) throw new CheckUsageError("--prefix <host[:port]/path> is required");
    const problem = prefixProblem(prefix);
    if (problem !== undefined) throw new CheckUsageError(`--prefix ${problem}`);
    const host = parseCheckPrefix(prefix).host;
    const caFiles: Record<string, string[]> = {};
    for (const given of values["ca-file"] as string[]) {
        // The mirror command's syntax: HOST=FILE names the registry, a bare FILE is the prefix's.
        const { host: forHost, file } = parseCaFileArg(given, host);
        const resolved = userPath(file);
        if (!fs.existsSync(resolved)) throw missingFile("--ca-file", given, resolved);
        caFiles[forHost] = [...(caFiles[forHost] ?? []), resolved];
    }
    const insecure = insecureHosts(values.insecure as string[], host);
    for (const other of insecure) {
        if (prefixProblem(`${other}/x`) !== undefined)
            throw new CheckUsageError(`--insecure ${other}: expected a registry host (host or host:port)`);
    }
    const given = values["auth-file"] as string | undefined;
    const authFile = given === undefined ? undefined : existingFile("--auth-file", given);
    return { prefix, authFile, caFiles, insecure, help: false };
}

function readDockerConfig(file: string): Record<string, unknown> {
    const text = fs.readFileSync(file, "utf8");
    try {
        const parsed = JSON.parse(text) as unknown;
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
        return parsed as Record<string, unknown>;
    } catch (e) {
        throw new Error(`docker config ${file} is not JSON: ${(e as Error).message}`);
    }
}

/** Runs the command; resolves with the exit status. `out` gets a line per step and the verdict; `err` the failure. */
export async function runCheckCommand(argv: readonly string[], out: Output, err: Output): Promise<number> {
    let options: CheckCommandOptions;
    try {
        options = parseCheckArgs(argv);
    } catch (e) {
        err.write(`dify-plugin-registry check: ${(e as Error).message}\nRun with --help for usage.\n`);
        return CHECK_EXIT.usage;
    }
    if (options.help) {
        out.write(CHECK_USAGE);
        return CHECK_EXIT.ok;
    }
    const host = parseCheckPrefix(options.prefix).host;
    const authFile = options.authFile ?? defaultAuthFile();
    // The prefix's registry, and any other host named (a token service with a private CA of its own).
    const caFiles = options.caFiles[host] ?? [];
    let ca: Buffer[];
    let auth: Record<string, unknown> | undefined;
    const otherConnections: Record<string, { ca?: Buffer[]; insecure?: boolean }> = {};
    try {
        ca = caFiles.map((file) => fs.readFileSync(file));
        for (const [other, files] of Object.entries(options.caFiles)) {
            if (other !== host) otherConnections[other] = { ca: files.map((file) => fs.readFileSync(file)) };
        }
        for (const other of options.insecure) {
            if (other !== host) otherConnections[other] = { ...otherConnections[other], insecure: true };
        }
        auth = authFile === undefined ? undefined : readDockerConfig(authFile);
    } catch (e) {
        err.write(`dify-plugin-registry check: ${(e as Error).message}\n`);
        return CHECK_EXIT.usage;
    }
    out.write(`checking ${options.prefix}${authFile ? ` (login from ${authFile})` : " (no docker config: anonymous)"}\n`);
    let report: Awaited<ReturnType<typeof checkRegistry>>;
    try {
        report = await checkRegistry({
            prefix: options.prefix,
            auth,
            connection: { insecure: options.insecure.includes(host), ...(ca.length > 0 ? { ca } : {}) },
            otherConnections,
            fixes: {
                caFile: `--ca-file ${host}=<CA PEM file>`,
                insecure: "--insecure",
                loginSource: authFile ?? "the docker config (none found; give --auth-file)",
            },
        });
    } catch (e) {
        // A docker config entry that cannot be decoded: nothing was sent.
        err.write(`dify-plugin-registry check: ${(e as Error).message}\n`);
        return CHECK_EXIT.failed;
    }
    report = withCertificateLine(report, host);
    for (const step of report.steps) out.write(`${formatCheckStep(step)}\n`);
    for (const warning of report.warnings) out.write(`warning: ${warning}\n`);
    if (!report.ok) {
        err.write(`${formatCheckVerdict(report)}\n`);
        return CHECK_EXIT.failed;
    }
    out.write(`${formatCheckVerdict(report)}\n`);
    return CHECK_EXIT.ok;
}

/**
 * An untrusted certificate in one line: the registry, Node's code and reason, the option. The engine's detail nests
 * the transport's own message (which repeats the host and the code, and names the library's `caFile`).
 */
function withCertificateLine(report: CheckReport, host: string): CheckReport {
    const clean = (step: CheckStepResult): CheckStepResult => {
        if (step.reason !== "certificate-untrusted") return step;
        const code = /\(([A-Z][A-Z0-9_]+): /.exec(step.detail)?.[1];
        const why = /is not trusted \([A-Z0-9_]+: ([^)]*)\)/.exec(step.detail)?.[1];
        const detail =
            `certificate not trusted: ${host}'s TLS certificate does not verify${code ? ` (${code}${why ? `: ${why}` : ""})` : ""}; ` +
            `give the CA that signed it with --ca-file ${host}=<CA PEM file>`;
        return { ...step, detail };
    };
    const failed = report.failed && clean(report.failed);
    return { ...report, steps: report.steps.map(clean), ...(failed ? { failed } : {}) };
}
