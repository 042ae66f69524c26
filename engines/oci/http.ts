/**
 * HTTP/1.1 transport on node:http/https with keep-alive agents. Chosen over the global fetch because Node 20's fetch
 * cannot take a per-registry CA without the npm `undici` package, and node:http streams request bodies with
 * backpressure at full speed. Custom CAs are added to the system roots for their registry only; TLS verification is
 * never turned off — an insecure registry is spoken to over plain HTTP instead.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as tls from "node:tls";
import { pipeline, type Readable } from "node:stream";
import { CERTIFICATE_ERROR_CODES, CertificateError } from "./errors";

/** How to reach one registry host. */
export interface RegistryConnection {
    /** Plain HTTP (`insecureImageRepo`); TLS is used otherwise. */
    readonly insecure?: boolean;
    /** Extra CA certificate(s), PEM, trusted for this registry in addition to the system roots. */
    readonly ca?: string | Buffer | readonly (string | Buffer)[];
    /** A PEM file read like `ca`. */
    readonly caFile?: string;
}

/** One HTTP exchange. A `Readable` body is streamed and cannot be replayed. */
export interface HttpRequest {
    readonly method: string;
    readonly url: URL;
    readonly headers?: Record<string, string | number | undefined>;
    readonly body?: Buffer | Readable;
}

/** The answer; `body` must be consumed (`readBody`) or released (`discard`) to free the connection. */
export interface HttpResponse {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: http.IncomingMessage;
    readonly url: URL;
}

/** Transport tuning. */
export interface TransportOptions {
    readonly connections?: Readonly<Record<string, RegistryConnection>>;
    /** Sockets per host; the run's limiter bounds the real use. */
    readonly maxSockets?: number;
    /** Idle socket timeout; a stalled transfer fails (and is retried) after this long. */
    readonly timeoutMs?: number;
    readonly userAgent?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** Keep-alive agents per registry and the requests that use them. */
export class HttpTransport {
    private readonly httpAgent: http.Agent;
    private readonly defaultHttpsAgent: https.Agent;
    private readonly httpsAgents: Map<string, https.Agent>;
    private readonly timeoutMs: number;
    private readonly userAgent: string;

    constructor(private readonly options: TransportOptions = {}) {
        // Fields are set here, not by initializers: Pulumi's closure serialization (the image mirror provider) keeps
        // a class's constructor but drops its field initializers.
        this.httpsAgents = new Map();
        const common = { keepAlive: true, maxSockets: options.maxSockets ?? 32, scheduling: "lifo" as const };
        this.httpAgent = new http.Agent(common);
        this.defaultHttpsAgent = new https.Agent(common);
        for (const [host, connection] of Object.entries(options.connections ?? {})) {
            const extra = [...toArray(connection.ca), ...(connection.caFile ? [fs.readFileSync(connection.caFile)] : [])];
            if (extra.length > 0) this.httpsAgents.set(host, new https.Agent({ ...common, secureContext: withExtraCa(extra) }));
        }
        this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        this.userAgent = options.userAgent ?? "dify-plugin-registry-mirror";
    }

    /** `http://host` for insecure registries, `https://host` otherwise. */
    origin(host: string): string {
        return `${this.options.connections?.[host]?.insecure ? "http" : "https"}://${host}`;
    }

    /** Sends a request and resolves with the answer's head; rejects on network errors. */
    send(request: HttpRequest): Promise<HttpResponse> {
        const { url } = request;
        const isHttp = url.protocol === "http:";
        const headers: Record<string, string | number> = { "user-agent": this.userAgent };
        for (const [k, v] of Object.entries(request.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
        return new Promise((resolve, reject) => {
            const options = { method: request.method, headers, agent: isHttp ? this.httpAgent : this.httpsAgentFor(url.host) };
            const req = (isHttp ? http : https).request(url, options);
            req.setTimeout(this.timeoutMs, () => {
                req.destroy(
                    Object.assign(new Error(`${request.method} ${url.host}${url.pathname}: no data for ${this.timeoutMs} ms`), {
                        code: "ETIMEDOUT",
                    }),
                );
            });
            // A failing body (a cut source, a digest mismatch) aborts the request, so the server never sees an end;
            // the caller gets the body's error, not the "socket hang up" of the abort.
            let bodyError: Error | undefined;
            // `on`, not `once`: a second error (a reset after an abort) must not become an uncaught exception.
            req.on("error", (err) => reject(bodyError ?? asCertificateError(err, url.host)));
            req.once("response", (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url }));
            const body = request.body;
            if (body === undefined || Buffer.isBuffer(body)) {
                req.end(body);
            } else {
                body.on("error", (err) => (bodyError ??= err));
                pipeline(body, req, (err) => {
                    if (err) {
                        bodyError ??= err;
                        req.destroy(err);
                    }
                });
            }
        });
    }

    /** Closes idle keep-alive sockets so the process can exit. */
    close(): void {
        this.httpAgent.destroy();
        this.defaultHttpsAgent.destroy();
        for (const agent of this.httpsAgents.values()) agent.destroy();
    }

    private httpsAgentFor(host: string): https.Agent {
        return this.httpsAgents.get(host) ?? this.defaultHttpsAgent;
    }
}

/**
 * The system roots plus `extra` (docker's `certs.d/<host>/ca.crt` semantics), in one context per registry. Adding to
 * the default context takes ~1 ms; `createSecureContext({ ca: [...rootCertificates, ...extra] })` parses every root
 * again (~85 ms) — and passing `ca` to an agent would do so on every connection.
 */
function withExtraCa(extra: readonly (string | Buffer)[]): tls.SecureContext {
    const context = tls.createSecureContext();
    const native = (context as unknown as { context?: { addCACert?: (pem: string | Buffer) => void } }).context;
    if (typeof native?.addCACert !== "function") return tls.createSecureContext({ ca: [...tls.rootCertificates, ...extra] });
    for (const pem of extra) native.addCACert(pem);
    return context;
}

function toArray(ca: RegistryConnection["ca"]): (string | Buffer)[] {
    if (ca === undefined) return [];
    return Array.isArray(ca) ? [...ca] : [ca as string | Buffer];
}

/** Network errors that mean the registry cannot be reached at all. */
const UNREACHABLE_CODES = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED"];

/**
 * A TLS verification failure becomes a {@link CertificateError} naming the registry; a registry that cannot be
 * reached says so (keeping the code, so it is still retried); other errors pass unchanged.
 */
function asCertificateError(err: Error, host: string): Error {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== "string") return err;
    if (CERTIFICATE_ERROR_CODES.includes(code)) return new CertificateError(host, code, err.message);
    if (UNREACHABLE_CODES.includes(code)) {
        return Object.assign(new Error(`${host} is unreachable (${err.message})`, { cause: err }), { code });
    }
    return err;
}

/** Reads a whole (small) body; fails past `limit` bytes so a misbehaving server cannot exhaust memory. */
export async function readBody(res: HttpResponse, limit = 8 * 1024 * 1024): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > limit) {
            res.body.destroy();
            throw new Error(`${res.url.host}${res.url.pathname}: answer larger than ${limit} bytes`);
        }
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
}

/** Drops a body we do not need while keeping the connection reusable. */
export function discard(res: HttpResponse): void {
    res.body.on("error", () => undefined); // a reset while draining is harmless: nobody needs these bytes
    res.body.resume();
}
