// Registry doubles for the OCI client's security tests (issue 17): small node:http(s) servers on 127.0.0.1 that speak
// just enough of the distribution API for a copy and a push check, and misbehave on purpose — an upload Location or a
// blob redirect on another origin, a token realm over plain HTTP, a manifest or a token answer sent one byte at a time.
// Every server records the requests it saw with their Authorization header, so a test can say who got a credential.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** One request as a double saw it. */
export interface SeenRequest {
    readonly method: string;
    readonly url: string; // path + query
    readonly authorization: string | undefined;
}

/** A small OCI image held in memory: its manifest and its blobs (config + one layer). */
export interface MemoryImage {
    readonly manifest: Buffer;
    readonly mediaType: string;
    readonly digest: string;
    readonly blobs: ReadonlyMap<string, Buffer>;
}

/** A two-blob OCI image of seeded random bytes. */
export function memoryImage(layerSize = 20_000): MemoryImage {
    const layer = randomBytes(layerSize);
    const config = Buffer.from(
        JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha256(layer)] } }),
    );
    const mediaType = "application/vnd.oci.image.manifest.v1+json";
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType,
            config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length },
            layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: sha256(layer), size: layer.length }],
        }),
    );
    return {
        manifest,
        mediaType,
        digest: sha256(manifest),
        blobs: new Map([
            [sha256(config), config],
            [sha256(layer), layer],
        ]),
    };
}

/** A self-signed certificate for 127.0.0.1 (also its own CA). */
export interface TestCertificate {
    readonly key: string;
    readonly cert: string;
    /** The certificate as a file, for `caFile`. */
    readonly caFile: string;
    remove(): void;
}

export function selfSignedCertificate(): TestCertificate {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "double-cert-"));
    const keyFile = path.join(dir, "key.pem");
    const caFile = path.join(dir, "cert.pem");
    execFileSync(
        "openssl",
        [
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            keyFile,
            "-out",
            caFile,
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
    );
    return {
        key: fs.readFileSync(keyFile, "utf8"),
        cert: fs.readFileSync(caFile, "utf8"),
        caFile,
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

interface Listening {
    readonly host: string; // 127.0.0.1:PORT
    readonly requests: SeenRequest[];
    stop(): Promise<void>;
}

async function listen(server: http.Server | net.Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

async function close(server: http.Server): Promise<void> {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
}

function record(requests: SeenRequest[], req: http.IncomingMessage): void {
    requests.push({ method: req.method ?? "", url: req.url ?? "", authorization: req.headers.authorization });
}

async function bodyOf(req: http.IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
}

/** A plain-HTTP server on another origin: object storage, or where a registry sends uploads. */
export interface ForeignListener extends Listening {
    readonly origin: string; // http://127.0.0.1:PORT
    /** Blobs completed by uploads here, by digest. */
    readonly received: Map<string, Buffer>;
}

/**
 * Records every request and acts as an upload endpoint (PATCH → 202 with a Location here, `PUT ?digest=` → 201,
 * DELETE → 204, GET of a session → 204) and as blob storage (`GET /blobs/<digest>` from `blobs`). With `challenge`,
 * it answers everything 401 with that `WWW-Authenticate` instead.
 */
export async function startForeignListener(
    opts: { readonly blobs?: ReadonlyMap<string, Buffer>; readonly challenge?: (origin: string) => string } = {},
): Promise<ForeignListener> {
    const requests: SeenRequest[] = [];
    const received = new Map<string, Buffer>();
    const sessions = new Map<string, Buffer[]>();
    let origin = "";
    const server = http.createServer(async (req, res) => {
        record(requests, req);
        const body = await bodyOf(req);
        const url = new URL(req.url ?? "/", origin);
        if (opts.challenge) {
            res.writeHead(401, { "www-authenticate": opts.challenge(origin), "content-length": 0 }).end();
            return;
        }
        const blob = /^\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
        if (req.method === "GET" && blob) {
            const bytes = opts.blobs?.get(blob[1]);
            if (!bytes) res.writeHead(404, { "content-length": 0 }).end();
            else res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length }).end(bytes);
            return;
        }
        const session = /^\/upload\/([\w-]+)$/.exec(url.pathname)?.[1];
        if (!session) {
            res.writeHead(404, { "content-length": 0 }).end();
            return;
        }
        const parts = sessions.get(session) ?? [];
        sessions.set(session, parts);
        const held = () => parts.reduce((n, p) => n + p.length, 0);
        const range = () => (held() > 0 ? { range: `0-${held() - 1}` } : {});
        switch (req.method) {
            case "PATCH":
                parts.push(body);
                res.writeHead(202, { location: `${origin}/upload/${session}`, ...range(), "content-length": 0 }).end();
                return;
            case "PUT": {
                parts.push(body);
                const digest = url.searchParams.get("digest") ?? "";
                received.set(digest, Buffer.concat(parts));
                res.writeHead(201, { location: `${origin}/blobs/${digest}`, "docker-content-digest": digest, "content-length": 0 }).end();
                return;
            }
            case "DELETE":
                sessions.delete(session);
                res.writeHead(204).end();
                return;
            default:
                res.writeHead(204, { location: `${origin}/upload/${session}`, ...range() }).end();
        }
    });
    const host = await listen(server);
    origin = `http://${host}`;
    return { host, origin, requests, received, stop: () => close(server) };
}

/** A token service (plain HTTP): checks the Basic login, hands out random tokens the registry double accepts. */
export interface TokenDouble extends Listening {
    readonly realm: string; // http://127.0.0.1:PORT/token
    readonly tokens: Set<string>;
}

export async function startTokenDouble(login: { readonly username: string; readonly password: string }): Promise<TokenDouble> {
    const requests: SeenRequest[] = [];
    const tokens = new Set<string>();
    const expected = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString("base64")}`;
    const server = http.createServer((req, res) => {
        record(requests, req);
        req.resume();
        if (req.headers.authorization !== expected) {
            res.writeHead(401, { "content-type": "application/json" }).end('{"details":"invalid credentials"}');
            return;
        }
        const token = randomBytes(16).toString("hex");
        tokens.add(token);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token, expires_in: 300 }));
    });
    const host = await listen(server);
    return { host, realm: `http://${host}/token`, requests, tokens, stop: () => close(server) };
}

/**
 * A token service that answers every request (status line and headers included) one byte every `intervalMs`: the
 * answer's head itself is slow.
 */
export async function startDrippingTokenService(intervalMs: number): Promise<Listening & { readonly realm: string }> {
    const requests: SeenRequest[] = [];
    const sockets = new Set<net.Socket>();
    const timers = new Set<NodeJS.Timeout>();
    const body = JSON.stringify({ token: "dripped-token", expires_in: 300 });
    const answer = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    const server = net.createServer((socket) => {
        sockets.add(socket);
        let head = "";
        socket.on("error", () => undefined);
        socket.on("close", () => sockets.delete(socket));
        socket.on("data", (chunk: Buffer) => {
            if (head.includes("\r\n\r\n")) return;
            head += chunk.toString("latin1");
            if (!head.includes("\r\n\r\n")) return;
            const [line, ...fields] = head.split("\r\n");
            const authorization = fields.find((f) => /^authorization:/i.test(f))?.replace(/^authorization:\s*/i, "");
            requests.push({ method: line.split(" ")[0], url: line.split(" ")[1], authorization });
            let sent = 0;
            const timer = setInterval(() => {
                if (sent >= answer.length || socket.destroyed) {
                    clearInterval(timer);
                    timers.delete(timer);
                    return;
                }
                socket.write(answer.subarray(sent, ++sent));
            }, intervalMs);
            timers.add(timer);
        });
    });
    const host = await listen(server);
    return {
        host,
        realm: `http://${host}/token`,
        requests,
        async stop() {
            for (const timer of timers) clearInterval(timer);
            for (const socket of sockets) socket.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}

/** How a registry double authenticates. */
export type DoubleAuth =
    | { readonly scheme: "none" }
    | { readonly scheme: "basic"; readonly username: string; readonly password: string }
    | { readonly scheme: "bearer"; readonly realm: string; readonly tokens: ReadonlySet<string> };

export interface RegistryDoubleOptions {
    readonly auth: DoubleAuth;
    /** TLS with this certificate; plain HTTP otherwise. */
    readonly tls?: TestCertificate;
    /** `repository:tag` → image served (manifests by tag or digest, blobs by digest). */
    readonly images?: Readonly<Record<string, MemoryImage>>;
    /** The Location of a new upload session (`POST …/blobs/uploads/`); default: a session on the double itself. */
    readonly uploadLocation?: (repository: string) => string;
    /** Where a blob GET is redirected (307); undefined serves it here. */
    readonly blobRedirect?: (digest: string) => string | undefined;
    /** Repositories whose manifest GETs send their body one byte every `dripMs`. */
    readonly drip?: { readonly repositories: readonly string[]; readonly intervalMs: number };
}

export interface RegistryDouble extends Listening {
    readonly origin: string; // http(s)://127.0.0.1:PORT
    /** Manifests pushed: `repository:reference` → bytes. */
    readonly pushed: Map<string, Buffer>;
}

/**
 * A registry double: `GET /v2/`, manifests (HEAD, GET, PUT), blobs (HEAD, GET), upload sessions (POST, PATCH, PUT,
 * GET, DELETE) and `tags/list` (always NAME_UNKNOWN), behind the given auth.
 */
export async function startRegistryDouble(opts: RegistryDoubleOptions): Promise<RegistryDouble> {
    const requests: SeenRequest[] = [];
    const pushed = new Map<string, Buffer>();
    const blobs = new Map<string, Buffer>();
    for (const image of Object.values(opts.images ?? {})) for (const [d, b] of image.blobs) blobs.set(d, b);
    const sessions = new Map<string, Buffer[]>();
    const timers = new Set<NodeJS.Timeout>();
    let origin = "";
    const allowed = (authorization: string | undefined): boolean => {
        const { auth } = opts;
        if (auth.scheme === "none") return true;
        if (auth.scheme === "basic")
            return authorization === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
        return authorization?.startsWith("Bearer ") === true && auth.tokens.has(authorization.slice(7));
    };
    const challenge = (): string =>
        opts.auth.scheme === "bearer" ? `Bearer realm="${opts.auth.realm}",service="double"` : 'Basic realm="double"';
    const imageFor = (repository: string, reference: string): MemoryImage | undefined => {
        const byTag = opts.images?.[`${repository}:${reference}`];
        if (byTag) return byTag;
        return Object.entries(opts.images ?? {}).find(
            ([key, image]) => key.startsWith(`${repository}:`) && image.digest === reference,
        )?.[1];
    };
    const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
        record(requests, req);
        const body = await bodyOf(req);
        const url = new URL(req.url ?? "/", origin);
        if (!allowed(req.headers.authorization)) {
            res.writeHead(401, { "www-authenticate": challenge(), "content-type": "application/json" });
            res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
            return;
        }
        const p = url.pathname;
        if (p === "/v2/") {
            res.writeHead(200, { "content-type": "application/json" }).end("{}");
            return;
        }
        let m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(p);
        if (m) {
            const [, repository, reference] = m;
            if (req.method === "PUT") {
                pushed.set(`${repository}:${reference}`, body);
                res.writeHead(201, { "docker-content-digest": sha256(body), "content-length": 0 }).end();
                return;
            }
            const image = imageFor(repository, reference);
            if (!image) {
                res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
                return;
            }
            const head = {
                "content-type": image.mediaType,
                "content-length": image.manifest.length,
                "docker-content-digest": image.digest,
            };
            if (req.method === "HEAD") {
                res.writeHead(200, head).end();
                return;
            }
            res.writeHead(200, head);
            if (!opts.drip?.repositories.includes(repository)) {
                res.end(image.manifest);
                return;
            }
            let sent = 0;
            const timer = setInterval(() => {
                if (sent >= image.manifest.length || res.destroyed) {
                    clearInterval(timer);
                    timers.delete(timer);
                    if (!res.destroyed) res.end();
                    return;
                }
                res.write(image.manifest.subarray(sent, ++sent));
            }, opts.drip.intervalMs);
            timers.add(timer);
            return;
        }
        m = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(p);
        if (m) {
            const bytes = blobs.get(m[2]);
            if (!bytes) {
                res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"BLOB_UNKNOWN"}]}');
                return;
            }
            const redirect = req.method === "GET" ? opts.blobRedirect?.(m[2]) : undefined;
            if (redirect) res.writeHead(307, { location: redirect, "content-length": 0 }).end();
            else if (req.method === "HEAD") res.writeHead(200, { "content-length": bytes.length, "docker-content-digest": m[2] }).end();
            else res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length }).end(bytes);
            return;
        }
        m = /^\/v2\/(.+)\/blobs\/uploads\/([\w-]*)$/.exec(p);
        if (m) {
            const [, repository, session] = m;
            if (req.method === "POST") {
                const id = randomBytes(8).toString("hex");
                sessions.set(id, []);
                const location = opts.uploadLocation?.(repository) ?? `/v2/${repository}/blobs/uploads/${id}`;
                res.writeHead(202, { location, "docker-upload-uuid": id, range: "0-0", "content-length": 0 }).end();
                return;
            }
            const parts = sessions.get(session) ?? [];
            if (req.method === "PATCH") {
                parts.push(body);
                sessions.set(session, parts);
                const held = parts.reduce((n, b) => n + b.length, 0);
                res.writeHead(202, { location: p, range: `0-${held - 1}`, "content-length": 0 }).end();
                return;
            }
            if (req.method === "PUT") {
                parts.push(body);
                const digest = url.searchParams.get("digest") ?? "";
                blobs.set(digest, Buffer.concat(parts));
                sessions.delete(session);
                res.writeHead(201, { "docker-content-digest": digest, "content-length": 0 }).end();
                return;
            }
            if (req.method === "DELETE") {
                sessions.delete(session);
                res.writeHead(204).end();
                return;
            }
            res.writeHead(204, { location: p, "content-length": 0 }).end();
            return;
        }
        if (/\/tags\/list$/.test(p)) {
            res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"NAME_UNKNOWN"}]}');
            return;
        }
        res.writeHead(404, { "content-length": 0 }).end();
    };
    const server = opts.tls
        ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => void handler(req, res))
        : http.createServer((req, res) => void handler(req, res));
    const host = await listen(server);
    origin = `${opts.tls ? "https" : "http"}://${host}`;
    return {
        host,
        origin,
        requests,
        pushed,
        async stop() {
            for (const timer of timers) clearInterval(timer);
            await close(server);
        },
    };
}

/** A docker config object with one login. */
export function dockerAuth(
    host: string,
    login: { readonly username: string; readonly password: string },
): { auths: Record<string, { auth: string }> } {
    return { auths: { [host]: { auth: Buffer.from(`${login.username}:${login.password}`).toString("base64") } } };
}
