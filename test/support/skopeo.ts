// Thin skopeo wrappers. stdin is /dev/null so a bad credential fails instead of prompting.
import { spawn } from "node:child_process";

export interface SkopeoResult {
    readonly ok: boolean;
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface CopyOptions {
    readonly src: string; // e.g. "oci:/tmp/layout:v1"
    readonly dest: string; // e.g. "docker://127.0.0.1:5000/repo:v1"
    readonly authFile?: string; // used for both source and destination
    readonly srcCertDir?: string;
    readonly destCertDir?: string; // directory holding ca.crt
    readonly srcTlsVerify?: boolean; // false for plain-HTTP registries
    readonly destTlsVerify?: boolean;
    readonly all?: boolean; // copy every platform of an image index
    readonly extraArgs?: readonly string[];
}

export interface InspectOptions {
    readonly authFile?: string;
    readonly certDir?: string;
    readonly tlsVerify?: boolean;
}

const TIMEOUT_MS = 120_000;

/** Runs skopeo and resolves with its outcome; never rejects on a non-zero exit. */
export function runSkopeo(args: readonly string[]): Promise<SkopeoResult & { stdoutBuf: Buffer }> {
    return new Promise((resolve, reject) => {
        // spawn, not execFile: execFile always pipes stdin, and we want it closed.
        const child = spawn("skopeo", args, { stdio: ["ignore", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (c: Buffer) => out.push(c));
        child.stderr.on("data", (c: Buffer) => err.push(c));
        const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
        child.once("error", (e) => {
            clearTimeout(timer);
            reject(new Error(`cannot run skopeo (${e.message}); run: apt-get install -y docker-registry skopeo apache2-utils openssl`));
        });
        child.once("close", (code, signal) => {
            clearTimeout(timer);
            const stdoutBuf = Buffer.concat(out);
            const stderr = Buffer.concat(err).toString("utf8") + (signal ? `\n[skopeo killed by ${signal}]` : "");
            const exit = code ?? -1;
            resolve({ ok: exit === 0, code: exit, stdout: stdoutBuf.toString("utf8"), stderr, stdoutBuf });
        });
    });
}

export async function skopeoCopy(opts: CopyOptions): Promise<SkopeoResult> {
    const args = ["copy"];
    if (opts.authFile) args.push("--authfile", opts.authFile);
    if (opts.srcCertDir) args.push("--src-cert-dir", opts.srcCertDir);
    if (opts.destCertDir) args.push("--dest-cert-dir", opts.destCertDir);
    // The "=" form is required: skopeo's boolean flags do not take a separate value.
    if (opts.srcTlsVerify !== undefined) args.push(`--src-tls-verify=${opts.srcTlsVerify}`);
    if (opts.destTlsVerify !== undefined) args.push(`--dest-tls-verify=${opts.destTlsVerify}`);
    if (opts.all) args.push("--all");
    args.push(...(opts.extraArgs ?? []), opts.src, opts.dest);
    const { stdoutBuf: _ignored, ...result } = await runSkopeo(args);
    return result;
}

/** `skopeo inspect --raw`: the manifest bytes exactly as served. Throws on failure. */
export async function skopeoInspectRaw(ref: string, opts: InspectOptions = {}): Promise<Buffer> {
    const args = ["inspect", "--raw"];
    if (opts.authFile) args.push("--authfile", opts.authFile);
    if (opts.certDir) args.push("--cert-dir", opts.certDir);
    if (opts.tlsVerify !== undefined) args.push(`--tls-verify=${opts.tlsVerify}`);
    args.push(ref);
    const result = await runSkopeo(args);
    if (!result.ok) throw new Error(`skopeo ${args.join(" ")} exited ${result.code}: ${result.stderr.trim()}`);
    return result.stdoutBuf;
}
