/**
 * The registry push check: proves, before Dify needs it, that a registry prefix takes plugin images — the registry
 * answers (`GET /v2/`), the login is accepted, the login may push under the prefix (a blob upload is opened in a probe
 * repository and cancelled, so no repository, tag or blob is left behind) and may pull there.
 *
 * Pure: no Pulumi. Used by the `dify-plugin-registry check` command and by the `RegistryPushCheck` dynamic resource,
 * on the mirror engine's transport, auth and credentials (`engines/oci/`).
 */
import { repositoryScope, parseWwwAuthenticate } from "../oci/auth";
import { type AuthInput, type Credentials, loadCredentials, normalizeRegistryKey } from "../oci/credentials";
import { AuthenticationError, PlainHttpRefusedError, RegistryError } from "../oci/errors";
import { discard, HttpTransport, type HttpResponse, type RegistryConnection } from "../oci/http";
import { DOCKER_HUB_API_HOST } from "../oci/reference";
import { header, RegistrySession } from "../oci/registrySession";
import { type RetryPolicy, withRetry } from "../oci/retry";

/** The steps of a check, in order. */
export const CHECK_STEPS = ["registry", "login", "push", "pull"] as const;

/** One step of a check. */
export type CheckStep = (typeof CHECK_STEPS)[number];

/** Why a step failed; the caller picks a fix for it (a CLI option, a component argument). */
export type CheckFailureReason =
    | "unreachable"
    | "certificate-untrusted"
    | "wrong-protocol"
    | "plain-http-refused"
    | "not-a-registry"
    | "login-required"
    | "login-rejected"
    | "push-denied"
    | "pull-denied"
    | "error";

/** The outcome of one step. */
export interface CheckStepResult {
    readonly step: CheckStep;
    /** `skipped`: an earlier step failed. */
    readonly status: "ok" | "failed" | "skipped";
    /** What was found, or why it failed. Never holds a credential. */
    readonly detail: string;
    readonly reason?: CheckFailureReason;
}

/** The outcome of a check. */
export interface CheckReport {
    readonly prefix: string;
    readonly ok: boolean;
    /** Every step, in order. */
    readonly steps: readonly CheckStepResult[];
    /** The step that failed, if any. */
    readonly failed?: CheckStepResult;
    /** Things worth knowing that did not fail the check (an upload session the registry would not cancel). */
    readonly warnings: readonly string[];
}

/** How to fix a failure, in the caller's words: a CLI option or a component argument. */
export interface CheckFixes {
    /** Trust an extra CA: `--ca-file FILE`, `pushCheck.caFile`. */
    readonly caFile: string;
    /** Speak plain HTTP: `--insecure`, `registry.insecure: true`. */
    readonly insecure: string;
    /** Where the login comes from: `the docker config /root/.docker/config.json`, `image-repo-secret`. */
    readonly loginSource: string;
}

/** What to check and how to reach it. */
export interface CheckOptions {
    /** `host[:port]/path` (`harbor.example.com/dify/plugins`, `docker.io/acme`, `127.0.0.1:5000`). */
    readonly prefix: string;
    /** The logins: a docker config object or file; the entry for the prefix's registry is used. */
    readonly auth?: AuthInput;
    /** Plain HTTP, or extra CAs, for the prefix's registry. */
    readonly connection?: RegistryConnection;
    /** Extra CAs for other hosts the check may be sent to: a token service on its own host. */
    readonly otherConnections?: Readonly<Record<string, RegistryConnection>>;
    /** Socket idle timeout per request. Default 15 s. */
    readonly timeoutMs?: number;
    /** Total deadline of each answer (head and small body), ms. Default 60 s (the transport's). */
    readonly deadlineMs?: number;
    /** How failures say what to do; defaults speak of the docker config and the CLI's options. */
    readonly fixes?: Partial<CheckFixes>;
}

/** The repository the push and pull probes use, under the prefix. Nothing is ever written to it. */
export const PROBE_REPOSITORY = "dify-plugin-registry-check";

/** The prefix split for the registry API. */
export interface CheckTarget {
    /** As users write it, the docker config key: `docker.io`, `harbor.example.com`, `127.0.0.1:5000`. */
    readonly registry: string;
    /** The API host: `registry-1.docker.io` for Docker Hub, else `registry`. */
    readonly host: string;
    /** The path under the registry (may be empty). */
    readonly path: string;
    /** The probe repository: `<path>/dify-plugin-registry-check`. */
    readonly repository: string;
}

const HOST_PORT = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::(\d{1,5}))?$/i;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Reason a prefix is malformed, or undefined when it is `host[:port][/path]`. */
export function prefixProblem(prefix: unknown): string | undefined {
    if (typeof prefix !== "string" || prefix.trim() === "") return "is required: host[:port]/path, e.g. harbor.example.com/dify/plugins";
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(prefix)) return `"${prefix}" has a scheme; give host[:port]/path, e.g. harbor.example.com/dify`;
    const [host, ...path] = prefix.split("/");
    const match = HOST_PORT.exec(host);
    if (!match || (match[1] !== undefined && (Number(match[1]) < 1 || Number(match[1]) > 65535))) {
        return `"${host}" is not a registry host[:port]`;
    }
    const bad = path.find((part) => !PATH_COMPONENT.test(part));
    if (bad !== undefined) return `"${prefix}": path component "${bad}" is not lowercase [a-z0-9._-] (no tag, no trailing slash)`;
    return undefined;
}

/** Splits `host[:port]/path`; throws with the reason when it is malformed. */
export function parseCheckPrefix(prefix: string): CheckTarget {
    const problem = prefixProblem(prefix);
    if (problem !== undefined) throw new Error(`prefix ${problem}`);
    const slash = prefix.indexOf("/");
    const given = slash < 0 ? prefix : prefix.slice(0, slash);
    const path = slash < 0 ? "" : prefix.slice(slash + 1);
    const registry = normalizeRegistryKey(given);
    return {
        registry,
        host: registry === "docker.io" ? DOCKER_HUB_API_HOST : given.toLowerCase(),
        path,
        repository: path === "" ? PROBE_REPOSITORY : `${path}/${PROBE_REPOSITORY}`,
    };
}

// A check should answer within seconds: one quick retry for a dropped connection, not the mirror's ~6 s of backoff.
const CHECK_RETRY: RetryPolicy = { attempts: 2, baseDelayMs: 200, maxDelayMs: 500, maxRetryAfterMs: 2000 };

// Node's codes for a certificate chain it cannot verify, or one that does not name the host.
const CERT_CODES = [
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_UNTRUSTED",
    "CERT_HAS_EXPIRED",
    "CERT_NOT_YET_VALID",
    "ERR_TLS_CERT_ALTNAME_INVALID",
];

class StepFailure extends Error {
    constructor(
        readonly reason: CheckFailureReason,
        message: string,
    ) {
        super(message);
        // Set again: in Pulumi's serialized closures `super` may not set it.
        this.message = message;
    }
}

// An own `name` on the prototype makes Pulumi's closure serialization keep the prototype chain (see mirror/errors.ts):
// without it, `instanceof StepFailure` is false in the dynamic provider and every failure's reason is lost.
Object.defineProperty(StepFailure.prototype, "name", { value: "StepFailure", writable: true, configurable: true, enumerable: false });

/** Runs the check; never throws for registry answers (they become a failed step), only for a malformed prefix. */
export async function checkRegistry(options: CheckOptions): Promise<CheckReport> {
    const target = parseCheckPrefix(options.prefix);
    const fixes: CheckFixes = {
        caFile: options.fixes?.caFile ?? "--ca-file FILE",
        insecure: options.fixes?.insecure ?? "--insecure",
        loginSource: options.fixes?.loginSource ?? "the docker config",
    };
    const credentials = loadCredentials(options.auth).lookup(target.registry);
    const transport = new HttpTransport({
        connections: { ...options.otherConnections, [target.host]: options.connection ?? {} },
        maxSockets: 2,
        timeoutMs: options.timeoutMs ?? 15_000,
        deadlineMs: options.deadlineMs,
        userAgent: "dify-plugin-registry-check",
    });
    const session = new RegistrySession(target.registry, target.host, { transport, credentials, retry: CHECK_RETRY });
    const steps: CheckStepResult[] = [];
    const warnings: string[] = [];
    const run = { target, prefix: options.prefix, fixes, credentials, transport, session, warnings };
    const probes: [CheckStep, () => Promise<string>][] = [
        ["registry", () => reachRegistry(run)],
        ["login", () => checkLogin(run)],
        ["push", () => checkPush(run)],
        ["pull", () => checkPull(run)],
    ];
    try {
        for (const [step, probe] of probes) {
            if (steps.some((s) => s.status === "failed")) {
                steps.push({ step, status: "skipped", detail: "not checked: an earlier step failed" });
                continue;
            }
            try {
                steps.push({ step, status: "ok", detail: await probe() });
            } catch (err) {
                const failure = err instanceof StepFailure ? err : new StepFailure("error", describe(err));
                steps.push({ step, status: "failed", detail: failure.message, reason: failure.reason });
            }
        }
    } finally {
        transport.close();
    }
    const failed = steps.find((s) => s.status === "failed");
    return { prefix: options.prefix, ok: failed === undefined, steps, ...(failed ? { failed } : {}), warnings };
}

interface Run {
    readonly target: CheckTarget;
    readonly prefix: string;
    readonly fixes: CheckFixes;
    readonly credentials: Credentials | undefined;
    readonly transport: HttpTransport;
    readonly session: RegistrySession;
    readonly warnings: string[];
    /** The challenge of `GET /v2/`, once step 1 has run. */
    challenge?: ReturnType<typeof parseWwwAuthenticate>;
}

async function reachRegistry(run: Run): Promise<string> {
    const { target, fixes } = run;
    const origin = run.transport.origin(target.host);
    const plain = origin.startsWith("http:");
    let res: HttpResponse;
    try {
        res = await withRetry(() => run.transport.send({ method: "GET", url: new URL("/v2/", origin) }), CHECK_RETRY);
    } catch (err) {
        throw networkFailure(err, run, plain);
    }
    discard(res);
    if (plain && res.status === 400) {
        throw new StepFailure(
            "wrong-protocol",
            `${origin}/v2/ answered HTTP 400 to plain HTTP: the registry speaks HTTPS; drop ${fixes.insecure}`,
        );
    }
    if (res.status === 401) {
        run.challenge = parseWwwAuthenticate(res.headers["www-authenticate"]);
        if (!run.challenge) {
            throw new StepFailure(
                "not-a-registry",
                `${origin}/v2/ answered HTTP 401 without a WWW-Authenticate challenge: is this a registry?`,
            );
        }
    } else if (res.status !== 200) {
        throw new StepFailure(
            "not-a-registry",
            `${origin}/v2/ answered HTTP ${res.status}: not a registry's API root (is the host right, and is the registry behind a path?)`,
        );
    }
    const how = run.challenge
        ? run.challenge.scheme === "bearer"
            ? `asks for a Bearer token from ${run.challenge.params.realm ?? "its token service"}`
            : `asks for a ${run.challenge.scheme === "basic" ? "Basic" : run.challenge.scheme} login`
        : "asks for no login";
    return `${target.registry} answers as a registry over ${plain ? "plain HTTP" : "HTTPS"} and ${how}`;
}

async function checkLogin(run: Run): Promise<string> {
    const { target, credentials, fixes } = run;
    if (!run.challenge) {
        return credentials
            ? `anonymous access: the registry asks for no login (the login of "${credentials.username}" is not needed)`
            : "anonymous access: the registry asks for no login";
    }
    if (!credentials) {
        throw new StepFailure(
            "login-required",
            `login required: ${target.registry} asks for a login and ${fixes.loginSource} has none for "${target.registry}"`,
        );
    }
    try {
        const res = await run.session.request("GET", "/v2/", { scopes: [], expect: [200], what: `GET ${target.registry}/v2/` });
        discard(res);
    } catch (err) {
        if (err instanceof PlainHttpRefusedError) throw new StepFailure("plain-http-refused", err.message);
        if (err instanceof AuthenticationError) {
            // The mirror's message says where to look in its own words; ours names the caller's login source.
            const why = err.message.replace(/; (check|add) .*$/, "");
            throw new StepFailure(
                "login-rejected",
                `login rejected: ${why}; check the username and password (or token) for "${target.registry}" in ${fixes.loginSource}`,
            );
        }
        throw networkFailure(err, run, run.transport.origin(target.host).startsWith("http:"));
    }
    return `the login of "${credentials.username}" is accepted (${run.challenge.scheme === "bearer" ? "Bearer token" : "Basic"})`;
}

async function checkPush(run: Run): Promise<string> {
    const { target, prefix } = run;
    const repo = target.repository;
    let res: HttpResponse;
    try {
        res = await run.session.request("POST", `/v2/${repo}/blobs/uploads/`, {
            scopes: [repositoryScope(repo, true)],
            headers: { "content-length": 0 },
            expect: [202],
            what: `POST ${target.registry}/v2/${repo}/blobs/uploads/`,
        });
    } catch (err) {
        throw refusal("push-denied", `push not allowed on ${prefix}`, err, run, "open a blob upload in", repositoryScope(repo, true));
    }
    discard(res);
    const location = header(res, "location");
    if (!location) {
        run.warnings.push(`${target.registry} opened an upload in ${repo} without a Location header; it cannot be cancelled`);
        return `may push: an upload in ${target.registry}/${repo} was opened (nothing was written)`;
    }
    // Cancelled at once: no bytes were sent, so no blob, manifest or tag exists, and the session is gone.
    const url = new URL(location, run.transport.origin(target.host));
    try {
        const cancel = await run.session.send("DELETE", url, {
            scopes: [repositoryScope(repo, true)],
            expect: [204],
            what: `DELETE upload in ${target.registry}/${repo}`,
        });
        discard(cancel);
        if (cancel.status !== 204 && cancel.status !== 200 && cancel.status !== 202 && cancel.status !== 404) {
            run.warnings.push(`${target.registry} would not cancel the probe upload in ${repo} (HTTP ${cancel.status}); ${LINGERS}`);
        }
    } catch (err) {
        // A TLS registry whose upload location is plain HTTP: a push would send its blobs in clear text.
        if (err instanceof PlainHttpRefusedError) {
            throw new StepFailure(
                "plain-http-refused",
                `push not safe on ${prefix}: ${err.message} (the probe upload was not cancelled; ${LINGERS})`,
            );
        }
        // Token registries (distribution, Harbor) authorize DELETE as the `delete` action, which push logins rarely have.
        const denied = err instanceof AuthenticationError;
        run.warnings.push(
            denied
                ? `the login may not cancel the probe upload in ${repo} (cancelling needs the delete right); ${LINGERS}`
                : `cancelling the probe upload in ${repo} failed (${describe(err)}); ${LINGERS}`,
        );
    }
    return `may push under ${prefix}: an upload in ${repo} was opened and cancelled (nothing was written)`;
}

const LINGERS =
    "the empty session holds no data and is no repository, tag or blob; the registry drops unfinished uploads by itself " +
    "(distribution: after 168 h by default, storage.maintenance.uploadpurging)";

async function checkPull(run: Run): Promise<string> {
    const { target, prefix } = run;
    const repo = target.repository;
    let res: HttpResponse;
    try {
        // 404 NAME_UNKNOWN is an answer: the login may look, and there is nothing (the probe repository never exists).
        res = await run.session.request("GET", `/v2/${repo}/tags/list`, {
            scopes: [repositoryScope(repo, false)],
            expect: [200, 404],
            what: `GET ${target.registry}/v2/${repo}/tags/list`,
        });
    } catch (err) {
        throw refusal("pull-denied", `pull not allowed on ${prefix}`, err, run, "list tags of", repositoryScope(repo, false));
    }
    discard(res);
    return `may pull under ${prefix}`;
}

/** A refused push or pull: who was refused, where, and the registry's own words. */
function refusal(reason: CheckFailureReason, headline: string, err: unknown, run: Run, action: string, scope: string): StepFailure {
    const who = run.credentials ? `the login of "${run.credentials.username}"` : "anonymous access";
    const where = `${run.target.registry}/${run.target.repository}`;
    // The login was accepted a step earlier: a token service refusing now refuses the scope (Docker Hub, for a
    // read-only token), not the password.
    const tokenService = err instanceof AuthenticationError ? /the token service (\S+) rejected .*\(HTTP (\d+)\)/.exec(err.message) : null;
    if (tokenService) {
        return new StepFailure(
            reason,
            `${headline}: ${who} may not ${action} ${where}: the token service ${tokenService[1]} refused a token for ${scope} (HTTP ${tokenService[2]})`,
        );
    }
    if (err instanceof AuthenticationError || (err instanceof RegistryError && (err.status === 401 || err.status === 403))) {
        return new StepFailure(reason, `${headline}: ${who} may not ${action} ${where} (${err.message})`);
    }
    if (err instanceof RegistryError && err.status === 404) {
        return new StepFailure(
            reason,
            `${headline}: ${run.target.registry} has no place for ${where} (${err.message}); ` +
                "the project or namespace must exist, or the registry must create repositories on push",
        );
    }
    return networkFailure(err, run, run.transport.origin(run.target.host).startsWith("http:"));
}

/** Unreachable, certificate not trusted, or the wrong protocol: each with what to do. */
function networkFailure(err: unknown, run: Run, plain: boolean): StepFailure {
    if (err instanceof StepFailure) return err;
    if (err instanceof PlainHttpRefusedError) return new StepFailure("plain-http-refused", err.message);
    if (err instanceof RegistryError && err.status !== undefined) return new StepFailure("error", err.message);
    const code = codeOf(err);
    const { registry } = run.target;
    const message = describe(err);
    if (code !== undefined && CERT_CODES.includes(code)) {
        return new StepFailure(
            "certificate-untrusted",
            `certificate not trusted: ${registry}'s TLS certificate does not verify (${code}: ${(err as Error).message}); ` +
                `trust the CA that signed it with ${run.fixes.caFile}`,
        );
    }
    if (!plain && (code === "EPROTO" || /wrong version number|packet length too long|unknown protocol/i.test(message))) {
        return new StepFailure(
            "wrong-protocol",
            `${registry} does not speak TLS (the TLS handshake failed: ${/wrong version number|packet length too long|unknown protocol/i.exec(message)?.[0] ?? code}); ` +
                `for a plain-HTTP registry use ${run.fixes.insecure}`,
        );
    }
    return new StepFailure("unreachable", `registry unreachable: ${registry} (${run.transport.origin(run.target.host)}): ${message}`);
}

function codeOf(err: unknown): string | undefined {
    for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
        if (typeof e.code === "string") return e.code;
        e = e.cause as typeof e;
    }
    return undefined;
}

function describe(err: unknown): string {
    const e = err as { code?: unknown; message?: unknown } | undefined;
    const message = typeof e?.message === "string" && e.message !== "" ? e.message : String(err);
    return typeof e?.code === "string" && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

/** One line per step: `ok    push      may push under …`. */
export function formatCheckStep(result: CheckStepResult): string {
    return `${result.status.padEnd(7)} ${result.step.padEnd(9)}${result.detail}`;
}

/** The one-line verdict: what passed, or which step failed and why. */
export function formatCheckVerdict(report: CheckReport): string {
    return report.failed
        ? `registry push check of ${report.prefix} failed at step "${report.failed.step}": ${report.failed.detail}`
        : `registry push check of ${report.prefix} passed: the registry answers, the login is accepted, and it may push and pull there`;
}
