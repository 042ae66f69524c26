/**
 * A blob download as one ordered stream, fetched as HTTP ranges over several connections when the registry serves
 * `Range` (distribution, Docker Hub, GHCR, ECR, ACR and their storage redirects all do). Far links give each
 * connection a low rate: one blob on one connection leaves the path mostly idle, and a connection cut at 80 % must not
 * send the first 80 % again. So:
 *
 * - a blob larger than one part is cut into parts; the first part rides the blob's own limiter slot, the others only
 *   take slots nobody is waiting for (spare capacity), so many small blobs are not slowed by a few large ones;
 * - parts are handed on strictly in order (the digest is checked by the consumer while streaming); a part ahead of
 *   the consumer is buffered, at most one part's bytes each;
 * - a part cut mid-way is asked again from its first missing byte (`Range: bytes=<next>-<end>`), not from zero;
 * - a registry that answers `200` with the whole blob instead of `206` is read on one connection: the bytes already
 *   held are skipped, the rest taken — correct, only slower.
 */
import { Readable } from "node:stream";
import { RegistryError } from "./errors";
import { discard, type HttpResponse } from "./http";
import { backoffDelay, isRetryable, type RetryListener, type RetryPolicy } from "./retry";

/** Bytes per part: ~1 s at a far link's 8 MB/s per connection, so the round trip per part costs a few percent. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** Parts of one blob in flight at once, at most. */
export const DEFAULT_PARTS_IN_FLIGHT = 6;
/** A part (or a whole, un-ranged blob) pauses its connection once this much is buffered ahead of the consumer. */
const BUFFER_LIMIT = 8 * 1024 * 1024;

/** Opens `bytes=start-end` (inclusive) of the blob, or the whole blob when `range` is undefined. */
export type RangeOpener = (range: { readonly start: number; readonly end: number } | undefined) => Promise<HttpResponse>;

/** How to fetch one blob. */
export interface RangedBlobOptions {
    readonly size: number;
    readonly open: RangeOpener;
    /** A limiter slot if one is free right now (released by calling the result), else undefined. */
    readonly trySlot?: () => (() => void) | undefined;
    readonly retry: RetryPolicy;
    readonly onRetry?: RetryListener;
    /** For messages: `GET host/repo blob sha256:…`. */
    readonly what: string;
    readonly partSize?: number;
    readonly partsInFlight?: number;
}

/** The stream and a promise that settles once no request of this download is left open. */
export interface RangedBlob {
    readonly body: Readable;
    /** Resolves when every request this download made has finished or been aborted (never rejects). */
    readonly settled: Promise<void>;
    /** Whether the registry answered a range with 206 (undefined until the first answer). */
    readonly rangesServed: () => boolean | undefined;
}

interface Part {
    readonly start: number;
    end: number; // inclusive; a part grows to the blob's end when the registry ignores Range
    readonly chunks: Buffer[];
    buffered: number;
    received: number;
    done: boolean;
    error: unknown;
    /** Wakes the consumer (new bytes, done, error). */
    wake: (() => void) | undefined;
    /** Wakes the fetcher (the consumer took bytes). */
    drained: (() => void) | undefined;
}

/** Starts fetching; the body yields the blob's bytes in order, or fails once a part's tries are used up. */
export function openRangedBlob(options: RangedBlobOptions): RangedBlob {
    const { size } = options;
    const partSize = options.partSize ?? DEFAULT_PART_SIZE;
    const maxInFlight = Math.max(1, options.partsInFlight ?? DEFAULT_PARTS_IN_FLIGHT);
    const parts: Part[] = [];
    for (let start = 0; start < size || parts.length === 0; start += partSize) {
        parts.push(newPart(start, Math.min(size, start + partSize) - 1));
    }
    let ranged: boolean | undefined;
    let cancelled = false;
    let next = 0; // the next part to start
    let consuming = 0; // the part the consumer reads
    let ownBusy = false; // the blob's own limiter slot
    const open = new Set<HttpResponse>();
    const tasks: Promise<void>[] = [];
    // Declared before any use, assigned below: Pulumi's closure serialization (the image mirror provider) takes a
    // const used textually before its declaration for a free variable and fails.
    let schedule: () => void;
    let fetchPart: (part: Part) => Promise<void>;
    let cancel: () => void;
    let readPart: (part: Part, res: HttpResponse, from: number, askedRange: boolean) => Promise<void>;

    /** Starts parts while the registry serves ranges, a slot is free and the window allows. */
    schedule = () => {
        while (!cancelled && next < parts.length && next - consuming < maxInFlight && (next === 0 || ranged === true)) {
            let release: (() => void) | undefined;
            if (!ownBusy) {
                ownBusy = true;
                release = () => {
                    ownBusy = false;
                };
            } else {
                // Beyond its own slot a blob takes only slots nobody waits for.
                release = options.trySlot?.();
                if (!release) return;
            }
            const part = parts[next++];
            const task = fetchPart(part)
                .catch((err) => {
                    part.error = err;
                })
                .finally(() => {
                    release();
                    part.wake?.();
                    schedule();
                });
            tasks.push(task);
        }
    };

    fetchPart = async (part: Part): Promise<void> => {
        for (let attempt = 0; ; ) {
            const from = part.start + part.received;
            const before = part.received;
            try {
                // No Range on a whole blob's first try: nothing to gain.
                const whole = part.start === 0 && part.end === size - 1;
                const range = whole && from === 0 ? undefined : { start: from, end: part.end };
                const res = await options.open(range);
                if (cancelled) {
                    res.body.destroy();
                    return;
                }
                open.add(res);
                try {
                    await readPart(part, res, from, range !== undefined);
                } finally {
                    open.delete(res);
                }
                return;
            } catch (err) {
                if (cancelled) return;
                // Progress since the last failure earns a fresh set of tries: a link that drops every few hundred MB
                // still completes, a dead one fails as quickly as before.
                if (part.received > before) attempt = 0;
                if (!isRetryable(err)) throw err;
                if (attempt + 1 >= options.retry.attempts) {
                    // Our tries are used up: an outer retry loop must not multiply them.
                    throw Object.assign(err as object, { retriesExhausted: true });
                }
                const delay = backoffDelay(attempt, options.retry);
                attempt++;
                options.onRetry?.(err, attempt, delay, `${options.what} from byte ${part.start + part.received}`);
                await new Promise((resolve) => setTimeout(resolve, delay));
                if (cancelled) return;
            }
        }
    };

    readPart = async (part: Part, res: HttpResponse, from: number, askedRange: boolean): Promise<void> => {
        let skip = 0;
        if (res.status === 206) {
            const served = /^bytes\s+(\d+)-(\d+)\//.exec(String(res.headers["content-range"] ?? ""));
            if (!served || Number(served[1]) !== from) {
                discard(res);
                throw new RegistryError(
                    `${options.what}: asked for bytes ${from}-${part.end}, got ${res.headers["content-range"] ?? "no Content-Range"}`,
                    206,
                );
            }
            if (ranged === undefined) {
                ranged = true;
                schedule();
            }
        } else if (res.status === 200) {
            // Range ignored: this is the whole blob. Skip what we hold already.
            skip = from;
            if (askedRange && ranged !== true) {
                ranged = false;
                // Nothing after this part was started: it becomes the rest of the blob, on this one connection.
                if (next === parts.indexOf(part) + 1) {
                    part.end = size - 1;
                    parts.length = next;
                }
            }
        } else {
            discard(res);
            throw new RegistryError(`${options.what}: HTTP ${res.status}`, res.status);
        }
        const wanted = part.end + 1 - part.start;
        for await (const raw of res.body) {
            let chunk = raw as Buffer;
            if (skip > 0) {
                if (chunk.length <= skip) {
                    skip -= chunk.length;
                    continue;
                }
                chunk = chunk.subarray(skip);
                skip = 0;
            }
            const overshoot = part.received + chunk.length > wanted;
            if (overshoot) chunk = chunk.subarray(0, wanted - part.received);
            part.chunks.push(chunk);
            part.buffered += chunk.length;
            part.received += chunk.length;
            part.wake?.();
            // A 200 answer carries more than our part: drop that connection rather than read the rest. A 206 ends by
            // itself (breaking early would cost the keep-alive connection).
            if (overshoot || cancelled) break;
            // Backpressure: stop reading (the socket fills, the server waits) until the consumer catches up.
            while (part.buffered >= BUFFER_LIMIT && part.received < wanted && !cancelled) {
                await new Promise<void>((resolve) => {
                    part.drained = resolve;
                });
            }
        }
        if (part.received >= wanted) {
            part.done = true;
        } else if (!cancelled) {
            throw Object.assign(new Error(`the connection ended after ${part.start + part.received} of ${size} bytes`), {
                code: "ECONNRESET",
            });
        }
    };

    async function* ordered(): AsyncGenerator<Buffer> {
        try {
            schedule();
            for (consuming = 0; consuming < parts.length; consuming++) {
                const part = parts[consuming];
                schedule();
                for (;;) {
                    if (cancelled) return;
                    if (part.chunks.length > 0) {
                        const chunk = part.chunks.shift()!;
                        part.buffered -= chunk.length;
                        const drained = part.drained;
                        part.drained = undefined;
                        drained?.();
                        yield chunk;
                        continue;
                    }
                    if (part.done) break;
                    if (part.error) throw part.error;
                    await new Promise<void>((resolve) => {
                        part.wake = resolve;
                    });
                    part.wake = undefined;
                }
            }
        } finally {
            cancel();
        }
    }

    cancel = () => {
        if (cancelled) return;
        cancelled = true;
        for (const res of open) res.body.destroy();
        for (const part of parts) {
            part.drained?.();
            part.wake?.();
        }
    };

    const body = Readable.from(ordered(), { objectMode: false, highWaterMark: 1024 * 1024 });
    body.once("close", cancel);
    const closed = new Promise<void>((resolve) => body.once("close", resolve));
    return {
        body,
        // Once closed nothing new starts; wait for what is still running.
        settled: closed.then(() => Promise.allSettled(tasks)).then(() => undefined),
        rangesServed: () => ranged,
    };
}

function newPart(start: number, end: number): Part {
    return { start, end, chunks: [], buffered: 0, received: 0, done: false, error: undefined, wake: undefined, drained: undefined };
}
