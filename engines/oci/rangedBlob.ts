/**
 * A blob download as one ordered stream, fetched as HTTP ranges over several connections when the registry serves
 * `Range` (distribution, Docker Hub, GHCR, ECR, ACR and their storage redirects all do). Far links give each
 * connection a low rate: one blob on one connection leaves the path mostly idle, and a connection cut at 80 % must not
 * send the first 80 % again. So:
 *
 * - a blob is asked for whole, on one connection, `Range: bytes=0-` (a fast link needs no more: measured on loopback,
 *   8 MiB ranges cost ~12 % of a copy's throughput). Only when the consumer waits for bytes, the connection's rate is
 *   that of a far link and a limiter slot is spare (nobody waits for it), the rest of the blob is split off: the first
 *   connection reads on for one more part and is then dropped, the rest is fetched as parts on spare slots — so many
 *   small blobs are not slowed by a few large ones;
 * - parts are handed on strictly in order (the digest is checked by the consumer while streaming); a part ahead of
 *   the consumer is buffered, at most one part's bytes each;
 * - a part cut mid-way is asked again from its first missing byte (`Range: bytes=<next>-<end>`), not from zero;
 * - a registry that answers `200` with the whole blob instead of `206` is read on one connection: the bytes already
 *   held are skipped, the rest taken — correct, only slower.
 */
import { type EventLoopUtilization, performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { RegistryError } from "./errors";
import { discard, type HttpResponse } from "./http";
import { backoffDelay, isRetryable, type RetryListener, type RetryPolicy } from "./retry";

/** Bytes per part: ~1 s at a far link's 8 MB/s per connection, so the round trip per part costs a few percent. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** The smallest piece a split makes: below this a request's round trip costs more than the parallel bytes gain. */
const MIN_PART_SIZE = 1024 * 1024;
/** Parts of one blob in flight at once, at most. */
export const DEFAULT_PARTS_IN_FLIGHT = 6;
/**
 * One connection whose body arrives faster than this (bytes per ms: 20 MB/s, first byte to last) is not what limits
 * the copy; parallel parts would only cost CPU (measured on loopback: about +40 % CPU, lower throughput).
 */
const FAST_CONNECTION = 20_000;
/** How long a part's body must have flowed before its rate says anything. */
const RATE_AFTER_MS = 200;
/**
 * Above this event-loop utilization our own CPU is the bottleneck (a loaded machine, a loopback copy), not the link:
 * more connections would only add work. A far link leaves the loop mostly idle.
 */
const BUSY_LOOP = 0.6;
/** A part ahead of the consumer pauses its connection once this much is buffered (its connection keeps flowing). */
const BUFFER_LIMIT = 8 * 1024 * 1024;
/**
 * The part the consumer reads pauses sooner: bytes buffered there only wait for the consumer (measured on loopback:
 * an 8 MiB buffer here costs GC and ~5 % throughput).
 */
const CONSUMED_BUFFER_LIMIT = 1024 * 1024;

/**
 * This process's event-loop utilization (0-1) since `start`, which says whether our own CPU limits the copy. Tests
 * replace it: under a test runner the loop also carries the runner's and the in-process test servers' work, so a
 * reading taken there decides nothing about the link under test.
 */
export const eventLoop = {
    utilizationSince: (start: EventLoopUtilization): number => performance.eventLoopUtilization(start).utilization,
};

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
}

interface Part {
    readonly start: number;
    end: number; // inclusive; a part grows to the blob's end when the registry ignores Range
    readonly chunks: Buffer[];
    buffered: number;
    received: number;
    started: boolean;
    done: boolean;
    error: unknown;
    /** The response paused for backpressure, resumed once the consumer took bytes. */
    paused: HttpResponse["body"] | undefined;
    /** When its first byte arrived. */
    firstByteAt?: number;
}

/** Starts fetching; the body yields the blob's bytes in order, or fails once a part's tries are used up. */
export function openRangedBlob(options: RangedBlobOptions): RangedBlob {
    const { size } = options;
    const partSize = options.partSize ?? DEFAULT_PART_SIZE;
    const maxInFlight = Math.max(1, options.partsInFlight ?? DEFAULT_PARTS_IN_FLIGHT);
    const minPart = Math.min(partSize, MIN_PART_SIZE);
    // One part at first; `split` cuts the rest off into parts of `partSize` when the link is slow.
    const parts: Part[] = [newPart(0, Math.max(0, size - 1))];
    let ranged: boolean | undefined;
    let cancelled = false;
    let consuming = 0; // the part the consumer reads
    let running = 0; // parts with a request open or retrying
    let ownBusy = false; // the blob's own limiter slot
    // Extra parts only when the consumer waited for bytes: the download, not the upload, is then the bottleneck (a far
    // source). On a fast link the upload is slower than one connection's download, and more parts would only cost CPU.
    let starved = 0;
    let measured: number | undefined; // bytes per ms of the last part finished, request to last byte
    const loopAtStart = performance.eventLoopUtilization();
    // Asked whenever the consumer waits, which on a fast link is after every chunk: the cheap rate test goes first,
    // the event loop's utilization (measured: 2 % of a loopback copy's CPU when asked every time) only after it.
    const slowLink = (): boolean => {
        let slow: boolean;
        if (measured !== undefined) slow = measured < FAST_CONNECTION;
        else {
            const head = parts[Math.min(consuming, parts.length - 1)];
            const elapsed = head.firstByteAt === undefined ? 0 : performance.now() - head.firstByteAt;
            slow = elapsed >= RATE_AFTER_MS && head.received / elapsed < FAST_CONNECTION;
        }
        return slow && eventLoop.utilizationSince(loopAtStart) <= BUSY_LOOP;
    };
    const open = new Set<HttpResponse>();
    const tasks: Promise<void>[] = [];
    // Declared before any use, assigned below: Pulumi's closure serialization (the image mirror provider) takes a
    // const used textually before its declaration for a free variable and fails.
    let schedule: () => void;
    let nextPart: () => Part | undefined;
    let splittable: () => Part | undefined;
    let split: (part: Part) => Part;
    let fetchPart: (part: Part) => Promise<void>;
    let cancel: () => void;
    let readPart: (part: Part, res: HttpResponse, from: number, askedRange: boolean) => Promise<void>;
    let pump: () => void;
    let body: Readable;
    let wakeConsumer: (part: Part) => void;
    let waiting = false;
    let pumping = false;

    /** Starts parts while the registry serves ranges, a slot is free and the window allows; splits when worth it. */
    schedule = () => {
        while (!cancelled && running < maxInFlight && (ranged === true || !parts[0].started)) {
            let part = nextPart();
            const target = part === undefined ? splittable() : undefined;
            if (part === undefined && (target === undefined || starved === 0 || !slowLink())) return;
            let release: (() => void) | undefined;
            let spare = false;
            if (!ownBusy) {
                ownBusy = true;
                release = () => {
                    ownBusy = false;
                };
            } else {
                // Beyond its own slot a blob takes only slots nobody waits for, and only when the consumer starved.
                if (starved === 0 || !slowLink()) return;
                release = options.trySlot?.();
                if (!release) return;
                spare = true;
            }
            if (part === undefined) part = split(target!);
            if (spare || target !== undefined) starved--;
            const started = part;
            started.started = true;
            running++;
            const task = fetchPart(started)
                .catch((err) => {
                    started.error = err;
                })
                .finally(() => {
                    running--;
                    release();
                    wakeConsumer(started);
                    schedule();
                });
            tasks.push(task);
        }
    };

    /** The first part not started yet, within `maxInFlight` parts of the consumer (what is ahead of it is buffered). */
    nextPart = () => {
        for (let i = consuming; i < parts.length && i - consuming < maxInFlight; i++) if (!parts[i].started) return parts[i];
        return undefined;
    };

    /**
     * The part worth splitting, if any: the one the consumer waits on (its bytes are needed first: while it rides one
     * connection, parts ahead of it fill and wait — measured on the far link: a 110 MiB layer stalled to one
     * connection's rate for seconds), else the last one. Either must be in flight with two pieces left at least.
     */
    splittable = () => {
        const worth = (part: Part | undefined) =>
            part?.started === true && !part.done && part.end + 1 - (part.start + part.received) >= 2 * minPart;
        if (worth(parts[consuming])) return parts[consuming];
        const last = parts[parts.length - 1];
        return worth(last) ? last : undefined;
    };

    /**
     * Cuts `part` where it will be one piece from now; the rest becomes pieces right after it, not yet started; returns
     * the first. A piece is a part, or less near a blob's end or when the consumer waits — where the rest would ride
     * one connection while the others idle (measured on the far link: a 20 MiB layer's last 8 MiB alone took the
     * set's last second).
     */
    split = (part: Part) => {
        const from = part.start + part.received;
        const end = part.end;
        const piece = Math.min(partSize, Math.max(minPart, Math.ceil((end + 1 - from) / maxInFlight)));
        part.end = from + piece - 1;
        const pieces: Part[] = [];
        for (let start = part.end + 1; start <= end; start += piece) pieces.push(newPart(start, Math.min(end, start + piece - 1)));
        parts.splice(parts.indexOf(part) + 1, 0, ...pieces);
        return pieces[0];
    };

    fetchPart = async (part: Part): Promise<void> => {
        for (let attempt = 0; ; ) {
            const from = part.start + part.received;
            const before = part.received;
            try {
                // No Range on a small blob's first try: nothing to gain. A larger one asks for `bytes=0-<last>`: a 206
                // says ranges are served, so the blob can be split later.
                const whole = part.start === 0 && part.end === size - 1 && from === 0;
                const range = whole && size <= partSize ? undefined : { start: from, end: part.end };
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
        let servedEnd = size - 1; // the answer's last byte: past the part's end once the part was split
        if (res.status === 206) {
            const served = /^bytes\s+(\d+)-(\d+)\//.exec(String(res.headers["content-range"] ?? ""));
            if (!served || Number(served[1]) !== from) {
                discard(res);
                throw new RegistryError(
                    `${options.what}: asked for bytes ${from}-${part.end}, got ${res.headers["content-range"] ?? "no Content-Range"}`,
                    206,
                );
            }
            servedEnd = Number(served[2]);
            if (ranged === undefined) {
                ranged = true;
                schedule();
            }
        } else if (res.status === 200) {
            // Range ignored: this is the whole blob. Skip what we hold already.
            skip = from;
            // Asked for the first time and ignored: the blob is read whole on this one connection, never split.
            if (askedRange && ranged === undefined) ranged = false;
        } else {
            discard(res);
            throw new RegistryError(`${options.what}: HTTP ${res.status}`, res.status);
        }
        // `part.end` may move (a split) while this answer is read: what is wanted is computed per chunk.
        const wanted = () => part.end + 1 - part.start;
        // Events, not for-await: a promise per socket read costs real CPU at loopback speeds (tens of thousands of reads).
        await new Promise<void>((resolve, reject) => {
            const stream = res.body;
            let settled = false;
            // Declared before finish() uses it (Pulumi's closure serialization, see above).
            // biome-ignore lint/style/useConst: assigned after finish(), which refers to it, is defined
            let onData: (raw: Buffer) => void;
            const finish = (err?: unknown) => {
                if (settled) return;
                settled = true;
                part.paused = undefined;
                // The listener stays: removing the last one could leave the answer unread and its socket taken.
                if (err) reject(err);
                else resolve();
            };
            onData = (raw: Buffer) => {
                if (settled) return;
                part.firstByteAt ??= performance.now();
                let chunk = raw;
                if (skip > 0) {
                    if (chunk.length <= skip) {
                        skip -= chunk.length;
                        return;
                    }
                    chunk = chunk.subarray(skip);
                    skip = 0;
                }
                const overshoot = part.received + chunk.length > wanted();
                if (overshoot) chunk = chunk.subarray(0, wanted() - part.received);
                part.received += chunk.length;
                const consumed = parts[consuming] === part;
                if (consumed && waiting && part.chunks.length === 0) {
                    // The consumer waits for exactly these bytes: hand them on unbuffered (a fast link's only part).
                    waiting = body.push(chunk);
                } else {
                    part.chunks.push(chunk);
                    part.buffered += chunk.length;
                }
                if (part.received >= wanted()) {
                    part.done = true;
                    // A part's body rate: a far link's per-connection cap, not its latency and not a one-off wait.
                    const flowed = performance.now() - (part.firstByteAt ?? 0);
                    if (flowed >= RATE_AFTER_MS) measured = part.received / flowed;
                    // An answer that carries more than our part (a 200, or a split part's 206): drop that connection
                    // rather than read the rest. An answer that ends with the part ends by itself and keeps its socket.
                    if (overshoot || servedEnd > part.end) {
                        stream.destroy();
                        finish();
                    }
                } else if (part.buffered >= (consumed ? CONSUMED_BUFFER_LIMIT : BUFFER_LIMIT)) {
                    // Backpressure: stop reading (the socket fills, the server waits) until the consumer catches up.
                    stream.pause();
                    part.paused = stream;
                }
                wakeConsumer(part);
            };
            stream.on("data", onData);
            stream.once("end", () => {
                if (part.received < wanted() && !cancelled) {
                    finish(
                        Object.assign(new Error(`the connection ended after ${part.start + part.received} of ${size} bytes`), {
                            code: "ECONNRESET",
                        }),
                    );
                } else finish();
            });
            stream.once("error", (err) => finish(cancelled ? undefined : err));
            stream.once("close", () => {
                if (!part.done && !cancelled) {
                    finish(
                        Object.assign(new Error(`aborted after ${part.start + part.received} of ${size} bytes`), { code: "ECONNRESET" }),
                    );
                } else finish();
            });
        });
    };

    /** The consumer side: pushes the parts' bytes in order into `body`, synchronously, as far as it will take them. */
    pump = () => {
        if (pumping || cancelled) return;
        pumping = true;
        waiting = false;
        try {
            while (consuming < parts.length) {
                const part = parts[consuming];
                while (part.chunks.length > 0) {
                    const chunk = part.chunks.shift()!;
                    part.buffered -= chunk.length;
                    if (part.paused && part.buffered < CONSUMED_BUFFER_LIMIT) {
                        part.paused.resume();
                        part.paused = undefined;
                    }
                    if (!body.push(chunk)) return; // read() calls pump again
                }
                if (part.done) {
                    consuming++;
                    schedule();
                    continue;
                }
                if (part.error) {
                    body.destroy(part.error as Error);
                    return;
                }
                // Waiting for bytes: the download is the bottleneck, more parts may help.
                starved = 1;
                schedule();
                waiting = true;
                return;
            }
            body.push(null);
        } finally {
            pumping = false;
        }
    };
    wakeConsumer = (part: Part) => {
        if (waiting && parts[consuming] === part) pump();
    };

    cancel = () => {
        if (cancelled) return;
        cancelled = true;
        for (const res of open) {
            // An answer that has fully arrived ends by itself and keeps its keep-alive socket; only cut the others.
            if (res.body.complete) res.body.resume();
            else res.body.destroy();
        }
    };

    body = new Readable({
        highWaterMark: 1024 * 1024,
        read() {
            pump();
        },
        destroy(err, callback) {
            cancel();
            callback(err);
        },
    });
    schedule();
    const closed = new Promise<void>((resolve) => body.once("close", resolve));
    return {
        body,
        // Once closed nothing new starts; wait for what is still running.
        settled: closed.then(() => Promise.allSettled(tasks)).then(() => undefined),
    };
}

function newPart(start: number, end: number): Part {
    return { start, end, chunks: [], buffered: 0, received: 0, started: false, done: false, error: undefined, paused: undefined };
}
