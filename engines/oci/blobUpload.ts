/**
 * A blob upload that survives a cut connection without fetching the blob from its source again: the bytes go in one
 * PATCH (`Content-Range`), then a `PUT ?digest=` commits them. The last bytes sent are kept (up to `replayLimit`);
 * after a cut the session is asked how much it holds (`GET` → `Range: 0-<last>`) and the upload goes on from there.
 * Where the registry has dropped the session (distribution invalidates a session whose PATCH was cut) a fresh one is
 * opened and filled from byte 0 — possible while the kept bytes still start at 0 (small blobs, early cuts); otherwise
 * the error goes to the caller, which copies the blob again.
 */
import type { Readable } from "node:stream";
import { Readable as ReadableStream } from "node:stream";
import type { RegistryClient } from "./registryClient";
import { backoffDelay, isRetryable, type RetryListener, type RetryPolicy } from "./retry";

/** Bytes kept for a resumed upload: a limiter's worth of uploads costs at most this much memory each. */
export const DEFAULT_REPLAY_LIMIT = 8 * 1024 * 1024;
/**
 * The source's bytes are copied into blocks of this size, which are what the request writes and what a resume
 * replays. One write per MiB instead of one per 16 KiB TLS read, and blocks reused instead of a buffer allocated
 * per MiB (measured on loopback: less CPU per byte, fewer garbage collections — bench/mirror.profile.ts).
 */
const BLOCK_SIZE = 1024 * 1024;
/**
 * A block is reused only this many blocks after it left the replay window. What the request has not yet written is
 * at most the body's buffer and the socket's (one block and a few KiB: both are under backpressure), far less.
 */
const REUSE_DISTANCE = 4;

/** What an upload needs. `body` yields the blob's bytes (already being verified against `digest`). */
export interface ResumableUploadOptions {
    readonly client: RegistryClient;
    readonly repository: string;
    /** The upload session's location (from `startUpload` or a mount that fell back to an upload). */
    readonly location: string;
    readonly digest: string;
    readonly size: number;
    readonly body: Readable;
    readonly retry: RetryPolicy;
    readonly onRetry?: RetryListener;
    readonly what: string;
    readonly replayLimit?: number;
}

/** Uploads and commits the blob; resumes after cuts as described above. */
export async function uploadResumable(options: ResumableUploadOptions): Promise<void> {
    const { client, repository, digest, size } = options;
    const limit = options.replayLimit ?? DEFAULT_REPLAY_LIMIT;
    const source = options.body;
    const blockSize = Math.max(1, Math.min(BLOCK_SIZE, size));
    // Blocks `first`… of the blob, in order; the last one may be filling. Block k holds bytes k·blockSize….
    const window: Buffer[] = [];
    let first = 0;
    // Blocks that left the window, by the byte offset past which they may be overwritten.
    const retired: { readonly block: Buffer; readonly reuseAt: number }[] = [];
    let pulled = 0; // bytes taken from the source so far
    let sent = 0; // bytes handed to the attempt in flight
    let ended = false;
    let failed: Error | undefined;
    let current: ReadableStream | undefined; // the body of the attempt in flight, if any
    let location = options.location;
    let offset = 0;

    const keptFrom = () => first * blockSize;
    /** Hands bytes `sent`…`upTo` to the attempt in flight; false when it wants no more for now. */
    const flush = (upTo: number): boolean => {
        let more = current !== undefined;
        while (current !== undefined && sent < upTo) {
            const k = Math.floor(sent / blockSize);
            const from = sent - k * blockSize;
            const to = Math.min(blockSize, upTo - k * blockSize);
            sent += to - from;
            more = current.push(window[k - first].subarray(from, to));
        }
        return more;
    };
    /** Drops the oldest blocks the replay limit no longer covers (never one not yet sent). */
    const trim = () => {
        while (window.length > 1 && pulled - (first + 1) * blockSize >= limit && sent >= (first + 1) * blockSize) {
            retired.push({ block: window.shift()!, reuseAt: pulled + REUSE_DISTANCE * blockSize });
            first++;
        }
    };
    const newBlock = (): Buffer => {
        if (retired.length > 0 && retired[0].reuseAt <= pulled) return retired.shift()!.block;
        return Buffer.allocUnsafeSlow(blockSize);
    };
    // The source is read in flowing mode, chunk by chunk: an async iterator reads in paused mode, where `read()` joins
    // every buffered chunk into a new buffer — a copy of the whole blob (measured: ~10 % of a loopback copy's CPU).
    const onData = (chunk: Buffer) => {
        for (let at = 0; at < chunk.length; ) {
            const k = Math.floor(pulled / blockSize);
            if (k - first === window.length) window.push(newBlock());
            const into = pulled - k * blockSize;
            const n = chunk.copy(window[k - first], into, at, Math.min(chunk.length, at + blockSize - into));
            at += n;
            pulled += n;
        }
        // Whole blocks only: one large write each.
        const whole = pulled - (pulled % blockSize);
        if (current === undefined || (whole > sent && !flush(whole))) source.pause(); // no attempt, or it is full: wait
        trim();
    };
    const onEnd = () => {
        ended = true;
        flush(pulled);
        current?.push(null);
    };
    const onError = (err: Error) => {
        failed = err;
        current?.destroy(err);
    };
    source.pause();
    source.on("data", onData);
    source.once("end", onEnd);
    source.once("error", onError);

    /** One attempt's body: the kept bytes from `from`, then the source. A dropped attempt gets no further bytes. */
    const bodyFrom = (from: number): ReadableStream => {
        const body: ReadableStream = new ReadableStream({
            read: () => void source.resume(),
            destroy: (err, callback) => {
                if (current === body) current = undefined;
                source.pause();
                callback(err);
            },
        });
        current = body;
        sent = from;
        flush(pulled);
        if (failed) body.destroy(failed);
        else if (ended) body.push(null);
        return body;
    };

    try {
        for (let attempt = 0; ; attempt++) {
            const body = bodyFrom(offset);
            try {
                location = await client.patchUpload(repository, location, offset, size, body, digest);
                await client.commitUpload(repository, location, digest);
                return;
            } catch (err) {
                body.destroy();
                if (!isRetryable(err) || attempt + 1 >= options.retry.attempts) {
                    void client.cancelUpload(repository, location);
                    throw err;
                }
                const status = await client.uploadStatus(repository, location).catch(() => undefined);
                let next = status;
                if (!next) {
                    void client.cancelUpload(repository, location);
                    next = { offset: 0, location: await client.startUpload(repository) };
                }
                if (next.offset < keptFrom() || next.offset > pulled) {
                    // The bytes the registry still needs are no longer kept: the caller copies the blob again.
                    void client.cancelUpload(repository, next.location);
                    throw err;
                }
                ({ offset, location } = next);
                const delay = backoffDelay(attempt, options.retry);
                options.onRetry?.(err, attempt + 1, delay, `${options.what} from byte ${offset}${status ? "" : " (new upload session)"}`);
                await new Promise((resolve) => setTimeout(resolve, delay));
            }
        }
    } finally {
        source.off("data", onData);
        source.off("end", onEnd);
        source.off("error", onError);
    }
}
