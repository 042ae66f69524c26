/**
 * Errors of the mirror library. Each message names the registry, the repository and the operation, so a CLI or a
 * Pulumi provider can show it as it is.
 */

/** A registry answered with an unexpected status. `codes` are the distribution error codes of the body. */
export class RegistryError extends Error {
    constructor(
        message: string,
        /** HTTP status, undefined for network failures. */
        readonly status: number | undefined,
        /** Distribution error codes (`BLOB_UNKNOWN`, `DIGEST_INVALID`, `DENIED`, …). */
        readonly codes: readonly string[] = [],
        /** `Retry-After` of a 429/503 answer, in milliseconds. */
        readonly retryAfterMs?: number,
    ) {
        super(message);
        // Set again: in Pulumi's serialized closures (the image mirror provider) `super` is `Error.call(this, …)`,
        // which sets no message on `this`.
        this.message = message;
    }
}

/** Credentials missing or rejected: never retried, the fix is on the user's side. */
export class AuthenticationError extends RegistryError {
    constructor(message: string, status?: number) {
        super(message, status);
    }
}

/**
 * The registry's TLS certificate is not trusted (self-signed, a private CA, a wrong name, expired). Never retried.
 * `host` is the registry whose CA is missing: trust it for that registry only (`registries[host].caFile`, the CLI's
 * `--ca-file host=FILE`).
 */
export class CertificateError extends RegistryError {
    constructor(
        readonly host: string,
        /** Node's TLS error code, e.g. `SELF_SIGNED_CERT_IN_CHAIN`. */
        readonly code: string,
        detail: string,
    ) {
        const message = `${host}: the registry's TLS certificate is not trusted (${code}: ${detail}); trust its CA for this registry (caFile)`;
        super(message, undefined);
        this.message = message;
    }
}

/**
 * A TLS registry named a plain-HTTP URL — its token service (`realm`), an upload `Location`, a blob redirect — and
 * that URL's host was not marked insecure: refused, never retried, so that no login, token or blob travels in clear
 * text because a registry (or the proxy in front of it) said so. `registry` is the registry, `url` what it named.
 */
export class PlainHttpRefusedError extends RegistryError {
    /** The URL without its query (which may hold a signature or an upload's state). */
    readonly url: string;

    constructor(
        readonly registry: string,
        url: URL,
        /** What the URL is: `token service (realm)`, `upload location`, `blob redirect`. */
        readonly role: string,
        /** What would have gone over plain HTTP. */
        exposed: string,
    ) {
        const shown = `${url.origin}${url.pathname}`;
        const message =
            `${registry} is spoken to over HTTPS, but its ${role} ${shown} is plain HTTP: refused, so that ${exposed} does not ` +
            `travel in clear text; if ${url.host} really serves only plain HTTP, mark "${url.host}" insecure`;
        super(message, undefined);
        this.message = message;
        this.url = shown;
    }
}

/** TLS errors that mean "certificate not trusted" (Node's codes). */
export const CERTIFICATE_ERROR_CODES: readonly string[] = [
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_HAS_EXPIRED",
    "CERT_NOT_YET_VALID",
    "CERT_UNTRUSTED",
    "CERT_SIGNATURE_FAILURE",
    "ERR_TLS_CERT_ALTNAME_INVALID",
];

/** The bytes served for a blob or manifest do not hash to the digest that names them. Never retried. */
export class DigestMismatchError extends Error {
    constructor(
        readonly what: string,
        readonly expected: string,
        readonly actual: string,
    ) {
        super(`${what}: content does not match its digest (expected ${expected}, got ${actual}); nothing was tagged`);
        this.message = `${what}: content does not match its digest (expected ${expected}, got ${actual}); nothing was tagged`;
    }
}

/** A manifest kind the copier does not handle (Docker schema 1, unknown media types). */
export class UnsupportedManifestError extends Error {
    constructor(message: string) {
        super(message);
        this.message = message;
    }
}

// Each name lives on its class's prototype, like the built-in errors' names. It also gives every prototype an own
// property besides `constructor`, which makes Pulumi's closure serialization (the image mirror provider) keep the
// prototype chain — without it, `instanceof` and `Error.prototype` are lost in the serialized copy.
for (const cls of [
    RegistryError,
    AuthenticationError,
    CertificateError,
    PlainHttpRefusedError,
    DigestMismatchError,
    UnsupportedManifestError,
]) {
    Object.defineProperty(cls.prototype, "name", { value: cls.name, writable: true, configurable: true, enumerable: false });
}

/**
 * Our errors already say what failed; a bare network error (`read ECONNRESET`) gets `what` in front, keeping its
 * `code` and the original as `cause`.
 */
export function withContext(err: unknown, what: string | undefined): Error {
    const ours = err instanceof RegistryError || err instanceof DigestMismatchError || err instanceof UnsupportedManifestError;
    if (ours || what === undefined) return err instanceof Error ? err : new Error(String(err));
    const message = err instanceof Error ? err.message : String(err);
    return Object.assign(new Error(`${what}: ${message}`, { cause: err }), { code: (err as { code?: unknown })?.code });
}

/** Extracts `errors[].code` / `message` from a distribution error body (`{"errors":[{"code","message"}]}`). */
export function describeErrorBody(body: Buffer | string): { codes: string[]; text: string } {
    const raw = body.toString().trim();
    try {
        const parsed = JSON.parse(raw) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
        const errors = Array.isArray(parsed.errors) ? parsed.errors : [];
        if (errors.length > 0) {
            return {
                codes: errors.map((e) => String(e.code ?? "")),
                text: errors.map((e) => `${e.code ?? "ERROR"}: ${e.message ?? ""}`.trim()).join("; "),
            };
        }
    } catch {
        // Not JSON: fall through to the raw text.
    }
    return { codes: [], text: raw.slice(0, 300) };
}
