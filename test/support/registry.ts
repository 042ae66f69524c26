// Runs a real `docker-registry` (distribution 2.x from Debian) on a loopback port for tests.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";

export interface RegistryOptions {
    readonly tls?: boolean;
    readonly auth?: { readonly username: string; readonly password: string };
    /** Bearer token auth: the registry verifies JWTs signed by a key whose certificate is in rootCertBundle. */
    readonly token?: { readonly realm: string; readonly service: string; readonly issuer: string; readonly rootCertBundle: string };
}

export interface RunningRegistry {
    readonly host: string; // "127.0.0.1:PORT"
    readonly url: string; // "https://127.0.0.1:PORT" or "http://127.0.0.1:PORT"
    readonly certDir?: string; // holds only ca.crt, for skopeo --dest-cert-dir / --src-cert-dir
    readonly caFile?: string; // self-signed cert PEM (also the CA)
    /** Kills the process and removes its temp dir (config, cert, storage). */
    stop(): Promise<void>;
    /** Kills and starts again on the same port, config and storage (for fault tests). */
    restart(): Promise<void>;
}

export const INSTALL_HINT = "apt-get install -y docker-registry skopeo apache2-utils openssl";
const START_TIMEOUT_MS = 10_000;
const STDERR_TAIL = 4000;

/** The executable `name` in `first`, else on PATH, else in /usr/bin or /usr/sbin. */
export function findBinary(name: string, first: readonly string[] = []): string | undefined {
    for (const dir of [...first, ...(process.env.PATH ?? "").split(path.delimiter), "/usr/bin", "/usr/sbin"]) {
        if (!dir) continue;
        const candidate = path.join(dir, name);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // keep looking
        }
    }
    return undefined;
}

/** True when the binaries a real-registry test needs are installed. */
export function registryAvailable(): boolean {
    return findBinary("docker-registry") !== undefined && findBinary("skopeo") !== undefined;
}

/** Throws (never skips) with an install hint when a binary is missing. */
function requireBinary(name: string): string {
    const bin = findBinary(name);
    if (!bin) throw new Error(`'${name}' not found on PATH; run: ${INSTALL_HINT}`);
    return bin;
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

/** GET /v2/ and return the status, or undefined if nothing answers yet. */
async function probe(url: string, ca?: string): Promise<number | undefined> {
    if (!ca) {
        try {
            const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
            await res.arrayBuffer();
            return res.status;
        } catch {
            return undefined;
        }
    }
    // global fetch cannot take a custom CA, so use node:https for TLS.
    return new Promise((resolve) => {
        const req = https.get(`${url}/v2/`, { ca, timeout: 1000 }, (res) => {
            res.resume();
            resolve(res.statusCode);
        });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(undefined));
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startRegistry(opts: RegistryOptions = {}): Promise<RunningRegistry> {
    const registryBin = requireBinary("docker-registry");
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const url = `${opts.tls ? "https" : "http"}://${host}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "registry-"));
    const storage = path.join(dir, "storage");
    fs.mkdirSync(storage);

    const config: Record<string, unknown> = {
        version: 0.1,
        log: { level: "warn" },
        storage: { filesystem: { rootdirectory: storage }, delete: { enabled: true } },
        http: { addr: host } as Record<string, unknown>,
    };

    let certDir: string | undefined;
    let caFile: string | undefined;
    let ca: string | undefined;
    if (opts.tls) {
        // certDir must hold only ca.crt: skopeo treats a lone *.key there as a broken client cert pair.
        certDir = path.join(dir, "certs");
        fs.mkdirSync(certDir);
        caFile = path.join(certDir, "ca.crt");
        const keyFile = path.join(dir, "server.key");
        execFileSync(
            requireBinary("openssl"),
            [
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                keyFile,
                "-out",
                caFile,
            ],
            { stdio: ["ignore", "ignore", "pipe"] },
        );
        ca = fs.readFileSync(caFile, "utf8");
        (config.http as Record<string, unknown>).tls = { certificate: caFile, key: keyFile };
    }
    if (opts.auth) {
        const htpasswdFile = path.join(dir, "htpasswd");
        // -B: distribution only accepts bcrypt entries.
        const line = execFileSync(requireBinary("htpasswd"), ["-Bbn", opts.auth.username, opts.auth.password], {
            stdio: ["ignore", "pipe", "pipe"],
        });
        fs.writeFileSync(htpasswdFile, line);
        config.auth = { htpasswd: { realm: "test-registry", path: htpasswdFile } };
    }
    if (opts.token) {
        if (opts.auth) throw new Error("startRegistry: give auth (htpasswd) or token, not both");
        const { realm, service, issuer, rootCertBundle } = opts.token;
        config.auth = { token: { realm, service, issuer, rootcertbundle: rootCertBundle } };
    }
    const configFile = path.join(dir, "config.yml");
    fs.writeFileSync(configFile, stringify(config));

    let child: ChildProcess | undefined;
    let stderr = "";
    const tail = () => stderr.slice(-STDERR_TAIL);

    async function launch(): Promise<void> {
        stderr = "";
        const proc = spawn(registryBin, ["serve", configFile], { stdio: ["ignore", "ignore", "pipe"] });
        child = proc;
        let exited: string | undefined;
        proc.stderr!.setEncoding("utf8");
        proc.stderr!.on("data", (chunk: string) => {
            stderr = (stderr + chunk).slice(-STDERR_TAIL * 4);
        });
        proc.once("exit", (code, signal) => {
            exited = `exited with code ${code} signal ${signal}`;
        });
        proc.once("error", (err) => {
            exited = `failed to spawn: ${err.message}`;
        });
        const deadline = Date.now() + START_TIMEOUT_MS;
        for (;;) {
            if (exited) throw new Error(`docker-registry ${exited}\n--- stderr tail ---\n${tail()}`);
            const status = await probe(url, ca);
            if (status === 200 || status === 401) return;
            if (Date.now() > deadline) {
                proc.kill("SIGKILL");
                throw new Error(
                    `docker-registry on ${url} did not answer GET /v2/ within ${START_TIMEOUT_MS} ms ` +
                        `(last status: ${status ?? "no answer"})\n--- stderr tail ---\n${tail()}`,
                );
            }
            await sleep(50);
        }
    }

    async function kill(): Promise<void> {
        const proc = child;
        child = undefined;
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
        await new Promise<void>((resolve) => {
            const timer = setTimeout(() => proc.kill("SIGKILL"), 3000);
            proc.once("exit", () => {
                clearTimeout(timer);
                resolve();
            });
            proc.kill("SIGTERM");
        });
    }

    try {
        await launch();
    } catch (err) {
        await kill();
        fs.rmSync(dir, { recursive: true, force: true });
        throw err;
    }

    return {
        host,
        url,
        certDir,
        caFile,
        async stop() {
            await kill();
            fs.rmSync(dir, { recursive: true, force: true });
        },
        async restart() {
            await kill();
            await launch();
        },
    };
}
