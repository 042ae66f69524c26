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

/**
 * The answer; `body` must be consumed (`readBody`) or released (`discard`) to free the connection. A blob body is
 * piped instead, under the idle timeout only (see {@link TransportOptions.deadlineMs}).
 */
export interface HttpResponse {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: http.IncomingMessage;
    readonly url: URL;
    /** When the whole answer of this small exchange must have arrived: `readBody` and `discard` hold to it. */
    readonly deadline?: ResponseDeadline;
}

/** The total deadline of one exchange, set by the transport. */
export interface ResponseDeadline {
    /** `Date.now()` past which the answer is late. */
    readonly at: number;
    /** The configured deadline, for messages. */
    readonly ms: number;
    /** `GET 127.0.0.1:5000/v2/app/manifests/v1`, for messages. */
    readonly what: string;
}

/** Transport tuning. */
export interface TransportOptions {
    readonly connections?: Readonly<Record<string, RegistryConnection>>;
    /** Sockets per host; the run's limiter bounds the real use. */
    readonly maxSockets?: number;
    /** Idle socket timeout; a stalled transfer fails (and is retried) after this long. */
    readonly timeoutMs?: number;
    /**
     * Total deadline of an answer, ms (default 60 000): its head must arrive within this long of the request being
     * sent (of its last byte, for a streamed body), and a body read whole (`readBody`: manifests, tokens, API JSON,
     * error bodies) must be complete by the same deadline. The idle timeout alone lets a server that sends one byte
     * every few hundred ms hold a run forever.
     *
     * Blob bodies (piped by the copier) have no total deadline and no minimum throughput, only the idle timeout: a
     * blob may be gigabytes over a slow far link, so any total is wrong for some blob, and the copier reads a source
     * blob only as fast as the target takes it (backpressure), so a throughput floor would fail the source for the
     * target's slowness. A blob cannot run on forever either: the digest check stops it past its descriptor's size.
     */
    readonly deadlineMs?: number;
    readonly userAgent?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_DEADLINE_MS = 60_000;

/** Keep-alive agents per registry and the requests that use them. */
export class HttpTransport {
    private readonly httpAgent: http.Agent;
    private readonly defaultHttpsAgent: https.Agent;
    private readonly httpsAgents: Map<string, https.Agent>;
    private readonly timeoutMs: number;
    private readonly deadlineMs: number;
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
        this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
        this.userAgent = options.userAgent ?? "dify-plugin-registry-mirror";
    }

    /** `http://host` for insecure registries, `https://host` otherwise. */
    origin(host: string): string {
        return `${this.isInsecure(host) ? "http" : "https"}://${host}`;
    }

    /** True when `host` (`host[:port]`) was marked `insecure`: plain HTTP to it is what the user asked for. */
    isInsecure(host: string): boolean {
        return this.options.connections?.[host.toLowerCase()]?.insecure === true || this.options.connections?.[host]?.insecure === true;
    }

    /**
     * Sends a request and resolves with the answer's head; rejects on network errors, after the idle timeout, and when
     * the head misses the deadline (`deadlineMs`).
     */
    send(request: HttpRequest): Promise<HttpResponse> {
        const { url } = request;
        const isHttp = url.protocol === "http:";
        const headers: Record<string, string | number> = { "user-agent": this.userAgent };
        for (const [k, v] of Object.entries(request.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
        const what = `${request.method} ${url.host}${url.pathname}`;
        const deadlineMs = this.deadlineMs;
        return new Promise((resolve, reject) => {
            const options = { method: request.method, headers, agent: isHttp ? this.httpAgent : this.httpsAgentFor(url.host) };
            const req = (isHttp ? http : https).request(url, options);
            req.setTimeout(this.timeoutMs, () => {
                req.destroy(Object.assign(new Error(`${what}: no data for ${this.timeoutMs} ms`), { code: "ETIMEDOUT" }));
            });
            // The deadline's clock starts when a socket is ours (time queued for a socket is not the server's), or,
            // for a streamed body, once its last byte is sent (an upload's length is not the server's either).
            let startedAt: number | undefined;
            let deadlineTimer: NodeJS.Timeout | undefined;
            const startClock = () => {
                if (startedAt !== undefined) return;
                startedAt = Date.now();
                deadlineTimer = setTimeout(() => req.destroy(deadlineError(what, deadlineMs)), deadlineMs);
            };
            const streamed = request.body !== undefined && !Buffer.isBuffer(request.body);
            if (streamed) req.once("finish", startClock);
            else req.once("socket", startClock);
            req.once("close", () => clearTimeout(deadlineTimer));
            // A failing body (a cut source, a digest mismatch) aborts the request, so the server never sees an end;
            // the caller gets the body's error, not the "socket hang up" of the abort.
            let bodyError: Error | undefined;
            // `on`, not `once`: a second error (a reset after an abort) must not become an uncaught exception.
            req.on("error", (err) => reject(bodyError ?? asCertificateError(err, url.host)));
            req.once("response", (res) => {
                clearTimeout(deadlineTimer);
                const deadline = { at: (startedAt ?? Date.now()) + deadlineMs, ms: deadlineMs, what };
                resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url, deadline });
            });
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

/** The error of an answer that missed its deadline: retryable like the idle timeout (`ETIMEDOUT`). */
function deadlineError(what: string, ms: number): Error {
    return Object.assign(new Error(`${what}: the answer was not complete within the ${ms} ms deadline (deadlineMs)`), {
        code: "ETIMEDOUT",
    });
}

/**
 * Reads a whole (small) body; fails past `limit` bytes so a misbehaving server cannot exhaust memory, and past the
 * exchange's deadline so a slow one cannot hold the caller.
 */
export async function readBody(res: HttpResponse, limit = 8 * 1024 * 1024): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    const deadline = res.deadline;
    const timer = deadline
        ? setTimeout(() => res.body.destroy(deadlineError(deadline.what, deadline.ms)), Math.max(0, deadline.at - Date.now()))
        : undefined;
    try {
        for await (const chunk of res.body) {
            size += (chunk as Buffer).length;
            if (size > limit) {
                res.body.destroy();
                throw new Error(`${res.url.host}${res.url.pathname}: answer larger than ${limit} bytes`);
            }
            chunks.push(chunk as Buffer);
        }
    } finally {
        clearTimeout(timer);
    }
    return Buffer.concat(chunks);
}

/** Drops a body we do not need while keeping the connection reusable; one still arriving at the deadline is cut. */
export function discard(res: HttpResponse): void {
    res.body.on("error", () => undefined); // a reset while draining is harmless: nobody needs these bytes
    const deadline = res.deadline;
    if (deadline && !res.body.readableEnded) {
        const timer = setTimeout(() => res.body.destroy(), Math.max(0, deadline.at - Date.now()));
        timer.unref();
        res.body.once("close", () => clearTimeout(timer));
        res.body.once("end", () => clearTimeout(timer));
    }
    res.body.resume();
}
