/**
 * Registry authentication: anonymous, Basic, and the Bearer token flow of Docker Hub, GHCR, ACR, Aliyun, TCR and Harbor
 * (`WWW-Authenticate: Bearer realm=…,service=…,scope=…`, then `GET realm?service&scope` with the login as Basic).
 * Tokens are cached per scope set until shortly before they expire.
 *
 * Where credentials go: the registry's `Authorization` (Basic login or Bearer token) only to the registry's own origin
 * (scheme, host, port) — like docker/distribution's client, which authorizes only the origin that challenged it — and
 * the login to the token service its challenge names, never over plain HTTP for a TLS registry unless the realm's host
 * was marked insecure.
 */
import { AuthenticationError, PlainHttpRefusedError, RegistryError, describeErrorBody } from "./errors";
import type { Credentials } from "./credentials";
import { readBody, type HttpRequest, type HttpResponse } from "./http";
import { parseRetryAfter } from "./retry";

/** A parsed `WWW-Authenticate` challenge (the first one of the header). */
export interface Challenge {
    /** Lowercase: `basic`, `bearer`. */
    readonly scheme: string;
    readonly params: Readonly<Record<string, string>>;
}

/** Parses `Bearer realm="https://auth.example.com/token",service="registry",scope="repository:a:pull"`. */
export function parseWwwAuthenticate(header: string | string[] | undefined): Challenge | undefined {
    const text = Array.isArray(header) ? header[0] : header;
    const match = text ? /^\s*([A-Za-z][\w-]*)\s*/.exec(text) : null;
    if (!text || !match) return undefined;
    const params: Record<string, string> = {};
    const param = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/y;
    param.lastIndex = match[0].length;
    for (let m = param.exec(text); m; m = param.exec(text)) {
        params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3];
    }
    return { scheme: match[1].toLowerCase(), params };
}

/** `repository:<name>:<actions>` scopes of the token flow. */
export function repositoryScope(repository: string, push: boolean): string {
    return `repository:${repository}:${push ? "pull,push" : "pull"}`;
}

interface CachedToken {
    readonly token: string;
    readonly expiresAt: number;
}

/** Sends one request; the auth module uses it for the token service. */
export type Sender = (request: HttpRequest) => Promise<HttpResponse>;

/** The authentication state of one registry: its challenge, its login, and its tokens. */
export class RegistryAuth {
    private challenge: Challenge | undefined;
    private readonly tokens: Map<string, Promise<CachedToken>>;
    /** Fetched tokens by the scopes they were asked for. */
    private readonly settled: Map<readonly string[], CachedToken>;

    /** The origin the credentials belong to, as `URL.origin` spells it (`https://harbor.example.com`). */
    readonly origin: string;

    constructor(
        readonly registry: string,
        readonly credentials: Credentials | undefined,
        private readonly send: Sender,
        /** The registry's origin: `https://host[:port]`, or `http://…` for an insecure registry. */
        origin: string,
        /** True for hosts marked insecure: plain HTTP to them is allowed even for a TLS registry. */
        private readonly plainHttpAllowed: (host: string) => boolean = () => false,
    ) {
        // Fields are set here, not by initializers: Pulumi's closure serialization (the image mirror provider) keeps
        // a class's constructor but drops its field initializers.
        this.tokens = new Map();
        this.settled = new Map();
        this.origin = new URL(origin).origin;
    }

    /** True when `url` is on the registry's own origin: the only one that gets its `Authorization`. */
    owns(url: URL): boolean {
        return url.origin === this.origin;
    }

    /** `none` until a registry asked for credentials. */
    get scheme(): string {
        return this.challenge?.scheme ?? "none";
    }

    /**
     * Records a 401's challenge; returns the scopes to retry with (ours plus the one the registry named, which some
     * registries need, e.g. for cross-repository mounts).
     */
    learn(header: string | string[] | undefined, scopes: readonly string[]): string[] {
        const challenge = parseWwwAuthenticate(header);
        if (challenge) this.challenge = challenge;
        this.tokens.delete(scopeKey(scopes));
        for (const granted of this.settled.keys()) {
            if (scopes.some((scope) => covers(granted, scope))) this.settled.delete(granted);
        }
        const named = challenge?.params.scope?.split(" ").filter((s) => s !== "") ?? [];
        return [...new Set([...scopes, ...named])];
    }

    /**
     * The `Authorization` header for a request to `url` needing `scopes`; undefined for anonymous access and for any
     * URL outside the registry's origin (an upload location or redirect on another host, scheme or port).
     */
    async header(url: URL, scopes: readonly string[]): Promise<string | undefined> {
        if (!this.owns(url)) return undefined;
        switch (this.scheme) {
            case "basic":
                return this.credentials ? basic(this.credentials) : undefined;
            case "bearer":
                return `Bearer ${(await this.token(scopes)).token}`;
            default:
                return undefined;
        }
    }

    private token(scopes: readonly string[]): Promise<CachedToken> {
        const key = scopeKey(scopes);
        const cached = this.tokens.get(key) ?? this.coveringToken(scopes);
        if (cached) {
            return cached.then((t) => {
                if (t.expiresAt > Date.now()) return t;
                this.tokens.delete(key);
                return this.token(scopes);
            });
        }
        const fetching = this.fetchToken(scopes);
        this.tokens.set(key, fetching);
        fetching.then((t) => this.settled.set(scopes, t)).catch(() => undefined);
        // A failed fetch must not stay cached: the next request tries again.
        fetching.catch(() => this.tokens.get(key) === fetching && this.tokens.delete(key));
        return fetching;
    }

    /** A live token for a wider scope set (`pull,push` serves `pull`): one token per repository, not one per action set. */
    private coveringToken(scopes: readonly string[]): Promise<CachedToken> | undefined {
        const now = Date.now();
        for (const [granted, token] of this.settled) {
            if (token.expiresAt > now && scopes.every((scope) => covers(granted, scope))) return Promise.resolve(token);
        }
        return undefined;
    }

    private async fetchToken(scopes: readonly string[]): Promise<CachedToken> {
        const realm = this.challenge?.params.realm;
        if (!realm) throw new AuthenticationError(`${this.registry}: Bearer challenge without a realm`);
        const url = new URL(realm);
        if (url.protocol === "http:" && this.origin.startsWith("https:") && !this.plainHttpAllowed(url.host)) {
            throw new PlainHttpRefusedError(
                this.registry,
                url,
                "token service (realm)",
                this.credentials ? `the login of "${this.credentials.username}"` : "its token",
            );
        }
        if (this.challenge?.params.service) url.searchParams.set("service", this.challenge.params.service);
        for (const scope of [...scopes].sort()) url.searchParams.append("scope", scope);
        const res = await this.send({
            method: "GET",
            url,
            headers: { authorization: this.credentials ? basic(this.credentials) : undefined, accept: "application/json" },
        });
        const body = await readBody(res, 1024 * 1024);
        if (res.status === 401 || res.status === 403) {
            throw new AuthenticationError(
                `${this.registry}: the token service ${url.origin}${url.pathname} rejected ` +
                    (this.credentials
                        ? `the login of "${this.credentials.username}" (HTTP ${res.status}); check the username and password for "${this.registry}" in the docker config`
                        : `anonymous access (HTTP ${res.status}); add a login for "${this.registry}" to the docker config`),
                res.status,
            );
        }
        if (res.status !== 200) {
            const { codes, text } = describeErrorBody(body);
            throw new RegistryError(
                `${this.registry}: token service answered HTTP ${res.status}: ${text}`,
                res.status,
                codes,
                parseRetryAfter(res.headers["retry-after"]),
            );
        }
        const json = JSON.parse(body.toString("utf8")) as { token?: string; access_token?: string; expires_in?: number };
        const token = json.token ?? json.access_token;
        if (!token) throw new AuthenticationError(`${this.registry}: token service answered without a token`);
        // 60 s is the spec's default lifetime; renew 10 s early so a token never expires in flight.
        const lifetime = typeof json.expires_in === "number" && json.expires_in > 0 ? json.expires_in : 60;
        return { token, expiresAt: Date.now() + Math.max(1, lifetime - 10) * 1000 };
    }
}

function basic(credentials: Credentials): string {
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}`;
}

/** True when one of `granted` includes `wanted`'s resource and every one of its actions. */
function covers(granted: readonly string[], wanted: string): boolean {
    const split = (scope: string) => {
        const at = scope.lastIndexOf(":");
        return { resource: scope.slice(0, at), actions: scope.slice(at + 1).split(",") };
    };
    const w = split(wanted);
    return granted.some((scope) => {
        const g = split(scope);
        return g.resource === w.resource && w.actions.every((a) => g.actions.includes(a));
    });
}

function scopeKey(scopes: readonly string[]): string {
    return [...scopes].sort().join(" ");
}
