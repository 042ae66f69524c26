/**
 * Retries with exponential backoff for transient registry failures: 408/429/5xx answers and dropped connections.
 * `Retry-After` wins over the computed backoff (capped, so a hostile value cannot stall a run).
 */
import { RegistryError } from "./errors";

/** How often and how long to retry. */
export interface RetryPolicy {
    /** Total tries, the first included. */
    readonly attempts: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
    /** Upper bound for a server's `Retry-After`. */
    readonly maxRetryAfterMs: number;
}

/** About 6 s of backoff in total: long enough for a registry restart, short enough to fail a dead one quickly. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 4000, maxRetryAfterMs: 30_000 };

const RETRYABLE_STATUS = [408, 429, 500, 502, 503, 504];
const RETRYABLE_CODES = [
    "ECONNRESET",
    "ECONNREFUSED",
    "ECONNABORTED",
    "EPIPE",
    "ETIMEDOUT",
    "EAI_AGAIN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "ERR_STREAM_PREMATURE_CLOSE",
];

/** True for failures worth another try: transient statuses and network errors, never auth or digest errors. */
export function isRetryable(err: unknown): boolean {
    // Already retried to the end by an inner withRetry: retrying it again would multiply the tries (a request's retries
    // around a session ping's retries), not help.
    if (typeof err === "object" && err !== null && (err as { retriesExhausted?: unknown }).retriesExhausted === true) {
        return false;
    }
    for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
        if (e instanceof RegistryError) {
            return e.status !== undefined && RETRYABLE_STATUS.includes(e.status);
        }
        if (typeof e.code === "string" && RETRYABLE_CODES.includes(e.code)) {
            return true;
        }
        // Node reports a peer that hung up mid-response with these messages and no code.
        if (typeof e.message === "string" && /socket hang up|^aborted$/.test(e.message)) {
            return true;
        }
        e = e.cause as typeof e;
    }
    return false;
}

/** True when an answer's status should be retried. */
export function isRetryableStatus(status: number): boolean {
    return RETRYABLE_STATUS.includes(status);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
    const text = Array.isArray(value) ? value[0] : value;
    if (!text) return undefined;
    if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
    const date = Date.parse(text);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Delay before try `attempt + 1` (attempt counts from 0): jittered exponential backoff, or the server's wish. */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
    // Half fixed, half random: spreads concurrent retries without ever retrying immediately.
    return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Called before each retry; `what` names the operation (`GET host/repo blob sha256:…`) when the caller knows it. */
export type RetryListener = (err: unknown, attempt: number, delayMs: number, what?: string) => void;

/** Runs `fn` until it succeeds, fails with a non-retryable error, or the policy's tries are used up. */
export async function withRetry<T>(
    fn: (attempt: number) => Promise<T>,
    policy: RetryPolicy,
    onRetry?: RetryListener,
    what?: string,
): Promise<T> {
    for (let attempt = 0; ; attempt++) {
        try {
            return await fn(attempt);
        } catch (err) {
            if (!isRetryable(err)) throw err;
            if (attempt + 1 >= policy.attempts) {
                if (typeof err === "object" && err !== null) {
                    Object.defineProperty(err, "retriesExhausted", { value: true, configurable: true });
                }
                throw err;
            }
            const delay = backoffDelay(attempt, policy, err instanceof RegistryError ? err.retryAfterMs : undefined);
            onRetry?.(err, attempt + 1, delay, what);
            await new Promise((resolve) => setTimeout(resolve, delay));
        }
    }
}
