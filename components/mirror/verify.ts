/**
 * Streaming digest verification. Bytes pass through in batches of about 1 MiB (fewer, larger writes to the target
 * socket cost less CPU than one per 64 KiB read), and the last batch is held back until the whole stream has hashed
 * correctly — so a target upload never receives its final bytes, and never commits a blob, when the source served
 * wrong bytes.
 */
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { DigestMismatchError } from "./errors";

const BATCH = 1024 * 1024;

/** Pass-through that checks size and digest and reports progress. */
export class DigestVerifier extends Transform {
    private readonly hash: Hash;
    private pending: Buffer[] = [];
    private pendingBytes = 0;
    private held: Buffer | undefined;
    private seen = 0;

    constructor(
        private readonly expectedDigest: string,
        private readonly expectedSize: number,
        private readonly what: string,
        private readonly onBytes?: (bytes: number) => void,
    ) {
        // About one batch buffered on each side: bounded memory per stream (~3 MiB with the held batch).
        super({ highWaterMark: BATCH });
        this.hash = createHash(expectedDigest.startsWith("sha512:") ? "sha512" : "sha256");
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
        this.seen += chunk.length;
        if (this.seen > this.expectedSize) {
            callback(
                new DigestMismatchError(
                    this.what,
                    `${this.expectedDigest} (${this.expectedSize} bytes)`,
                    `more than ${this.expectedSize} bytes`,
                ),
            );
            return;
        }
        this.hash.update(chunk);
        this.pending.push(chunk);
        this.pendingBytes += chunk.length;
        if (this.pendingBytes >= BATCH) {
            if (this.held) this.push(this.held);
            this.held = this.takePending();
        }
        this.onBytes?.(chunk.length);
        callback();
    }

    override _flush(callback: TransformCallback): void {
        const actual = `${this.expectedDigest.split(":")[0]}:${this.hash.digest("hex")}`;
        if (this.seen !== this.expectedSize) {
            callback(new DigestMismatchError(this.what, `${this.expectedDigest} (${this.expectedSize} bytes)`, `${this.seen} bytes`));
        } else if (actual !== this.expectedDigest) {
            callback(new DigestMismatchError(this.what, this.expectedDigest, actual));
        } else {
            if (this.held) this.push(this.held);
            callback(null, this.pendingBytes > 0 ? this.takePending() : undefined);
        }
    }

    private takePending(): Buffer {
        const batch = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
        this.pending = [];
        this.pendingBytes = 0;
        return batch;
    }
}
