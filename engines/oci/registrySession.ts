/**
 * Authenticated requests to one registry: learns the auth scheme once (`GET /v2/`), adds the right `Authorization`
 * for each request's scopes, answers a 401 challenge once, retries replayable requests, and turns unexpected answers
 * into errors that say what failed and why.
 *
 * A URL the registry names — an upload `Location`, a blob redirect — may be on another origin (object storage, another
 * host or port): it is sent no `Authorization` at all, and a 401 from it teaches nothing (its challenge could name a
 * realm that would collect the login). A TLS registry naming a plain-HTTP URL is refused
 * ({@link PlainHttpRefusedError}) unless that URL's host was marked insecure.
 */
import type { Readable } from "node:stream";
import { RegistryAuth, parseWwwAuthenticate } from "./auth";
import type { Credentials } from "./credentials";
import { AuthenticationError, PlainHttpRefusedError, RegistryError, describeErrorBody } from "./errors";
import { discard, readBody, type HttpResponse, type HttpTransport } from "./http";
import { DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, withRetry, type RetryListener, type RetryPolicy } from "./retry";

/** How a client reaches and authenticates to its registry. */
export interface RegistryClientOptions {
    readonly transport: HttpTransport;
    readonly credentials?: Credentials;
    readonly retry?: RetryPolicy;
    readonly onRetry?: RetryListener;
}

/** One request: its token scopes, headers, body and the statuses that count as answers. */
export interface RequestSpec {
    readonly scopes: readonly string[];
    readonly headers?: Record<string, string | number | undefined>;
    readonly body?: Buffer | Readable;
    /** Statuses that are answers, not errors. */
    readonly expect: readonly number[];
    /** For messages: `HEAD 127.0.0.1:5000/nginx manifest 1.29`. */
    readonly what: string;
}

/** The request layer of a {@link RegistryClient}. */
export class RegistrySession {
    private readonly auth: RegistryAuth;
    private pinged: Promise<void> | undefined;
    readonly retry: RetryPolicy;
    readonly origin: string;

    constructor(
        readonly registry: string,
        readonly host: string,
        readonly options: RegistryClientOptions,
    ) {
        this.origin = options.transport.origin(host);
        this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
        const transport = options.transport;
        this.auth = new RegistryAuth(
            registry,
            options.credentials,
            (req) => transport.send(req),
            this.origin,
            (h) => transport.isInsecure(h),
        );
    }

    /** `GET /v2/` once: learns the auth scheme and checks the login before any transfer starts. */
    ping(): Promise<void> {
        this.pinged ??= withRetry(() => this.doPing(), this.retry, this.options.onRetry, `GET ${this.registry}/v2/`).catch((err) => {
            this.pinged = undefined;
            throw err;
        });
        return this.pinged;
    }

    /** A replayable request, retried on transient failures; resolves with an expected status only. */
    request(method: string, path: string, spec: RequestSpec): Promise<HttpResponse> {
        const url = new URL(path, this.origin);
        return withRetry(
            () => this.expect(this.send(method, url, spec), spec.what, spec.expect),
            this.retry,
            this.options.onRetry,
            spec.what,
        );
    }

    /** A GET from another host (a storage redirect): no credentials, retried; `headers` carries a `Range`. */
    requestElsewhere(url: URL, what: string, headers?: Record<string, string>): Promise<HttpResponse> {
        this.refusePlainHttp(url, "blob redirect", "the blob");
        return withRetry(
            () => this.expect(this.options.transport.send({ method: "GET", url, headers }), what, [200, 206]),
            this.retry,
            this.options.onRetry,
            what,
        );
    }

    /**
     * One exchange with auth: a 401 teaches the challenge and the request is sent once more (buffered bodies only). A
     * URL outside the registry's origin gets no credentials (see the file comment).
     */
    async send(method: string, url: URL, spec: RequestSpec): Promise<HttpResponse> {
        const own = this.auth.owns(url);
        if (!own) this.refusePlainHttp(url, "upload location", "the blob being uploaded");
        await this.ping();
        let scopes = spec.scopes;
        for (let tries = 0; ; tries++) {
            const authorization = await this.auth.header(url, scopes);
            const res = await this.options.transport.send({ method, url, headers: { ...spec.headers, authorization }, body: spec.body });
            if (res.status !== 401) return res;
            discard(res);
            if (!own) {
                throw new RegistryError(
                    `${spec.what}: ${url.origin} (named by ${this.registry}) asks for a login (HTTP 401); ` +
                        `the login for ${this.registry} is sent only to ${this.auth.origin}`,
                    401,
                );
            }
            const replayable = spec.body === undefined || Buffer.isBuffer(spec.body);
            if (tries > 0 || !replayable) throw this.loginRejected(spec.what, res.headers["www-authenticate"]);
            scopes = this.auth.learn(res.headers["www-authenticate"], scopes);
        }
    }

    /** The error for an unexpected answer, with the registry's own error codes and message. */
    async failure(res: HttpResponse, what: string): Promise<RegistryError> {
        const body = await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0));
        const { codes, text } = describeErrorBody(body);
        const retryAfter = isRetryableStatus(res.status) ? parseRetryAfter(res.headers["retry-after"]) : undefined;
        if (res.status === 403) return new AuthenticationError(`${what}: denied (HTTP 403): ${text || "the login has no permission"}`, 403);
        return new RegistryError(`${what}: HTTP ${res.status}${text ? `: ${text}` : ""}`, res.status, codes, retryAfter);
    }

    private async expect(pending: Promise<HttpResponse>, what: string, expect: readonly number[]): Promise<HttpResponse> {
        const res = await pending;
        if (expect.includes(res.status)) return res;
        throw await this.failure(res, what);
    }

    private async doPing(): Promise<void> {
        const url = new URL("/v2/", this.origin);
        const res = await this.options.transport.send({ method: "GET", url });
        discard(res);
        if (res.status === 200) return;
        if (res.status !== 401) throw await this.failure(res, `GET ${this.registry}/v2/ (is this a registry?)`);
        // The login itself is checked by the first real request (or token fetch), which fails before any transfer:
        // checking it here would add a serial round trip to every run.
        this.auth.learn(res.headers["www-authenticate"], []);
    }

    /** Throws {@link PlainHttpRefusedError} for a plain-HTTP `url` named by a TLS registry, unless its host is insecure. */
    private refusePlainHttp(url: URL, role: string, exposed: string): void {
        if (url.protocol === "http:" && this.origin.startsWith("https:") && !this.options.transport.isInsecure(url.host)) {
            throw new PlainHttpRefusedError(this.registry, url, role, exposed);
        }
    }

    private loginRejected(what: string, challenge?: string | string[]): AuthenticationError {
        const login = this.auth.credentials;
        const missing = parseWwwAuthenticate(challenge);
        if (missing?.params.error === "insufficient_scope") {
            const who = login ? `the login of "${login.username}"` : "anonymous access";
            return new AuthenticationError(
                `${what}: ${who} is not allowed ${missing.params.scope ?? "this"} on ${this.registry} (HTTP 401 insufficient_scope)`,
                401,
            );
        }
        return new AuthenticationError(
            login
                ? `${what}: ${this.registry} rejected the login of "${login.username}" (HTTP 401); check the username and password for "${this.registry}" in the docker config`
                : `${what}: ${this.registry} requires a login (HTTP 401); add one for "${this.registry}" to the docker config`,
            401,
        );
    }
}

/** A response header as one string. */
export function header(res: HttpResponse, name: string): string | undefined {
    const value = res.headers[name];
    return Array.isArray(value) ? value[0] : value;
}
