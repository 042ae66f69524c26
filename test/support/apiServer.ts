// Runs a real Kubernetes API server on loopback for engine tests: Debian's etcd plus kube-apiserver (and, when built,
// kube-controller-manager) from scripts/engine-tools.sh, with a throwaway CA, serving and admin client certificates.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { findBinary } from "./registry";
import { stringify } from "yaml";

export const ENGINE_TOOLS_HINT =
    "run scripts/engine-tools.sh (builds kube-apiserver into $DIFY_ENGINE_TOOLS/bin, by default " +
    "~/.cache/dify-plugin-registry/engine-tools/bin) and apt-get install -y etcd-server openssl";

const ETCD_START_TIMEOUT_MS = 20_000;
const APISERVER_START_TIMEOUT_MS = 120_000; // cold start runs the RBAC/bootstrap post-start hooks; slow on 2 cores
const STDERR_TAIL = 4000;
const SERVICE_CIDR = "10.0.0.0/24";
const FIRST_SERVICE_IP = "10.0.0.1";

export interface ApiServerOptions {
    /**
     * Run kube-controller-manager with these controllers (default: namespace, serviceaccount, serviceaccount-token,
     * garbagecollector), so that deleted namespaces go away, each namespace gets its "default" ServiceAccount and
     * ownerReferences cascade. `false`, or a missing kube-controller-manager binary, runs without it; then the
     * ServiceAccount admission plugin is disabled (a Pod would otherwise need a "default" ServiceAccount that nothing
     * creates) and a deleted Namespace stays Terminating.
     */
    readonly controllers?: readonly string[] | false;
    /** Extra kube-apiserver flags, e.g. ["--feature-gates=..."]. */
    readonly extraArgs?: readonly string[];
}

export interface RunningApiServer {
    /** "https://127.0.0.1:PORT" */
    readonly server: string;
    /** An admin (CN=admin, O=system:masters) kubeconfig with embedded certificates; context "test". */
    readonly kubeconfigPath: string;
    /** The same kubeconfig's YAML text (what a k8s.Provider's `kubeconfig` takes). */
    readonly kubeconfig: string;
    /** PEM of the CA that signed the serving and client certificates. */
    readonly caFile: string;
    /** True when kube-controller-manager runs beside the API server. */
    readonly controllerManager: boolean;
    /** Runs kubectl with this kubeconfig; resolves to stdout, rejects with stderr on a non-zero exit. */
    kubectl(args: readonly string[], opts?: { readonly input?: string }): Promise<string>;
    /** Kills the processes and removes the temp dir (certificates, etcd data). */
    stop(): Promise<void>;
}

/** The engine tools' bin dir (scripts/engine-tools.sh), whether or not it has been built. */
export function engineToolsBinDir(): string {
    const root = process.env.DIFY_ENGINE_TOOLS || path.join(os.homedir(), ".cache", "dify-plugin-registry", "engine-tools");
    return path.join(root, "bin");
}

/** True when etcd, kube-apiserver, kubectl and openssl are all installed. */
export function apiServerAvailable(): boolean {
    return ["etcd", "kube-apiserver", "kubectl", "openssl"].every((b) => findBinary(b, [engineToolsBinDir()]) !== undefined);
}

function requireBinary(name: string): string {
    const bin = findBinary(name, [engineToolsBinDir()]);
    if (!bin) throw new Error(`'${name}' not found in ${engineToolsBinDir()} or on PATH; ${ENGINE_TOOLS_HINT}`);
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign,digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:${FIRST_SERVICE_IP}
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
`;

interface Pki {
    readonly caCert: string;
    readonly caKey: string;
    readonly serverCert: string;
    readonly serverKey: string;
    readonly adminCert: string;
    readonly adminKey: string;
    readonly saKey: string;
    readonly saPub: string;
}

/** CA, serving certificate (127.0.0.1, localhost, kubernetes.default...), admin client certificate, SA key pair: P-256. */
function makePki(dir: string): Pki {
    const openssl = requireBinary("openssl");
    const run = (args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    const cnf = path.join(dir, "openssl.cnf");
    fs.writeFileSync(cnf, OPENSSL_CONFIG);
    const f = (name: string) => path.join(dir, name);
    const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    run(
        ["req", "-x509", "-new", ...newKey, "-keyout", f("ca.key"), "-out", f("ca.crt"), "-days", "2"].concat([
            "-subj",
            "/CN=dify-test-ca",
            "-config",
            cnf,
            "-extensions",
            "ca",
        ]),
    );
    const sign = (name: string, subj: string, ext: string) => {
        run(["req", "-new", ...newKey, "-keyout", f(`${name}.key`), "-out", f(`${name}.csr`), "-subj", subj, "-config", cnf]);
        run(
            ["x509", "-req", "-in", f(`${name}.csr`), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial"].concat([
                "-days",
                "2",
                "-out",
                f(`${name}.crt`),
                "-extfile",
                cnf,
                "-extensions",
                ext,
            ]),
        );
    };
    sign("apiserver", "/CN=kube-apiserver", "server");
    sign("admin", "/O=system:masters/CN=admin", "client");
    run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f("sa.key")]);
    run(["pkey", "-in", f("sa.key"), "-pubout", "-out", f("sa.pub")]);
    return {
        caCert: f("ca.crt"),
        caKey: f("ca.key"),
        serverCert: f("apiserver.crt"),
        serverKey: f("apiserver.key"),
        adminCert: f("admin.crt"),
        adminKey: f("admin.key"),
        saKey: f("sa.key"),
        saPub: f("sa.pub"),
    };
}

function kubeconfigYaml(server: string, pki: Pki): string {
    const b64 = (file: string) => fs.readFileSync(file).toString("base64");
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "test", cluster: { server, "certificate-authority-data": b64(pki.caCert) } }],
        users: [{ name: "admin", user: { "client-certificate-data": b64(pki.adminCert), "client-key-data": b64(pki.adminKey) } }],
        contexts: [{ name: "test", context: { cluster: "test", user: "admin", namespace: "default" } }],
        "current-context": "test",
    });
}

/** A child process whose stderr tail is kept for error messages. */
class Proc {
    private stderr = "";
    exited: string | undefined;
    readonly child: ChildProcess;

    constructor(
        readonly name: string,
        bin: string,
        args: readonly string[],
    ) {
        this.child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
        this.child.stderr!.setEncoding("utf8");
        this.child.stderr!.on("data", (chunk: string) => {
            this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL * 4);
        });
        this.child.once("exit", (code, signal) => {
            this.exited = `exited with code ${code} signal ${signal}`;
        });
        this.child.once("error", (err) => {
            this.exited = `failed to spawn: ${err.message}`;
        });
    }

    tail(): string {
        return this.stderr.slice(-STDERR_TAIL);
    }

    fail(message: string): Error {
        return new Error(`${this.name} ${message}\n--- ${this.name} stderr tail ---\n${this.tail()}`);
    }

    async kill(): Promise<void> {
        const proc = this.child;
        if (proc.exitCode !== null || proc.signalCode !== null || this.exited) return;
        await new Promise<void>((resolve) => {
            const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
            proc.once("exit", () => {
                clearTimeout(timer);
                resolve();
            });
            proc.kill("SIGTERM");
        });
    }
}

/** Polls `check` until it is true; throws the process's stderr tail if it exits or the time runs out. */
async function waitFor(proc: Proc, what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (proc.exited) throw proc.fail(proc.exited);
        if (await check()) return;
        if (Date.now() > deadline) throw proc.fail(`did not become ready (${what}) within ${timeoutMs} ms`);
        await sleep(200);
    }
}

async function etcdHealthy(url: string): Promise<boolean> {
    try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await res.json()) as { health?: string };
        return res.status === 200 && body.health === "true";
    } catch {
        return false;
    }
}

/** GET `url` with the admin client certificate; resolves to [status, body] or undefined when nothing answers. */
function httpsGet(url: string, pki: Pki): Promise<[number, string] | undefined> {
    return new Promise((resolve) => {
        const req = https.get(
            url,
            {
                ca: fs.readFileSync(pki.caCert),
                cert: fs.readFileSync(pki.adminCert),
                key: fs.readFileSync(pki.adminKey),
                timeout: 2000,
            },
            (res) => {
                let body = "";
                res.setEncoding("utf8");
                res.on("data", (c: string) => (body += c));
                res.on("end", () => resolve([res.statusCode ?? 0, body]));
            },
        );
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(undefined));
    });
}

const DEFAULT_CONTROLLERS = ["namespace", "serviceaccount", "serviceaccount-token", "garbagecollector"];

export async function startApiServer(opts: ApiServerOptions = {}): Promise<RunningApiServer> {
    const etcdBin = requireBinary("etcd");
    const apiserverBin = requireBinary("kube-apiserver");
    const kubectlBin = requireBinary("kubectl");
    const controllers = opts.controllers === false ? [] : (opts.controllers ?? DEFAULT_CONTROLLERS);
    const cmBin = controllers.length > 0 ? findBinary("kube-controller-manager", [engineToolsBinDir()]) : undefined;

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apiserver-"));
    const procs: Proc[] = [];
    const stopAll = async () => {
        for (const p of [...procs].reverse()) await p.kill();
        fs.rmSync(dir, { recursive: true, force: true });
    };

    try {
        const pki = makePki(dir);
        const [etcdClientPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
        const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
        const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
        const etcd = new Proc("etcd", etcdBin, [
            "--name=test",
            `--data-dir=${path.join(dir, "etcd")}`,
            `--listen-client-urls=${etcdUrl}`,
            `--advertise-client-urls=${etcdUrl}`,
            `--listen-peer-urls=${peerUrl}`,
            `--initial-advertise-peer-urls=${peerUrl}`,
            `--initial-cluster=test=${peerUrl}`,
            "--initial-cluster-state=new",
            "--logger=zap",
            "--log-level=warn",
        ]);
        procs.push(etcd);
        await waitFor(etcd, `GET ${etcdUrl}/health`, ETCD_START_TIMEOUT_MS, () => etcdHealthy(etcdUrl));

        const server = `https://127.0.0.1:${apiPort}`;
        const admission = cmBin ? [] : ["--disable-admission-plugins=ServiceAccount"];
        const apiserver = new Proc("kube-apiserver", apiserverBin, [
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${apiPort}`,
            `--etcd-servers=${etcdUrl}`,
            `--tls-cert-file=${pki.serverCert}`,
            `--tls-private-key-file=${pki.serverKey}`,
            `--client-ca-file=${pki.caCert}`,
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            `--service-account-key-file=${pki.saPub}`,
            `--service-account-signing-key-file=${pki.saKey}`,
            `--service-cluster-ip-range=${SERVICE_CIDR}`,
            "--authorization-mode=RBAC",
            // The default (lease) reconciler refuses a loopback advertise address; no Endpoints for "kubernetes" then.
            "--endpoint-reconciler-type=none",
            ...admission,
            "--enable-priority-and-fairness=false",
            "--profiling=false",
            `--cert-dir=${path.join(dir, "apiserver-certs")}`,
            ...(opts.extraArgs ?? []),
        ]);
        procs.push(apiserver);
        await waitFor(apiserver, `GET ${server}/readyz`, APISERVER_START_TIMEOUT_MS, async () => {
            const res = await httpsGet(`${server}/readyz`, pki);
            return res !== undefined && res[0] === 200 && res[1].trim() === "ok";
        });

        const kubeconfig = kubeconfigYaml(server, pki);
        const kubeconfigPath = path.join(dir, "admin.kubeconfig");
        fs.writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });

        if (cmBin) {
            const cm = new Proc("kube-controller-manager", cmBin, [
                `--kubeconfig=${kubeconfigPath}`,
                `--controllers=${controllers.join(",")}`,
                "--leader-elect=false",
                "--use-service-account-credentials=false",
                `--service-account-private-key-file=${pki.saKey}`,
                `--root-ca-file=${pki.caCert}`,
                "--bind-address=127.0.0.1",
                "--secure-port=0",
                "--profiling=false",
            ]);
            procs.push(cm);
            // Ready once the serviceaccount controller has made the default namespace's "default" ServiceAccount.
            await waitFor(cm, "ServiceAccount default/default", APISERVER_START_TIMEOUT_MS, async () => {
                const res = await httpsGet(`${server}/api/v1/namespaces/default/serviceaccounts/default`, pki);
                return res !== undefined && res[0] === 200;
            });
        }

        const kubectl = (args: readonly string[], kopts: { readonly input?: string } = {}) =>
            new Promise<string>((resolve, reject) => {
                const child = execFile(
                    kubectlBin,
                    [`--kubeconfig=${kubeconfigPath}`, ...args],
                    { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
                    (err, stdout, stderr) => {
                        if (err) reject(new Error(`kubectl ${args.join(" ")} failed: ${stderr || err.message}`));
                        else resolve(stdout);
                    },
                );
                child.stdin?.end(kopts.input ?? "");
            });

        return {
            server,
            kubeconfigPath,
            kubeconfig,
            caFile: pki.caCert,
            controllerManager: cmBin !== undefined,
            kubectl,
            stop: stopAll,
        };
    } catch (err) {
        await stopAll();
        throw err;
    }
}
