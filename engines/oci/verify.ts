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

/**
 * Pass-through that checks size and digest and reports progress. A factory over `new Transform({...})` rather than a
 * subclass: Pulumi's closure serialization (the image mirror's dynamic provider) cannot capture a class that extends
 * a Node built-in, but does capture `node:stream` itself.
 */
export function createDigestVerifier(
    expectedDigest: string,
    expectedSize: number,
    what: string,
    onBytes?: (bytes: number) => void,
): Transform {
    const hash: Hash = createHash(expectedDigest.startsWith("sha512:") ? "sha512" : "sha256");
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let held: Buffer | undefined;
    let seen = 0;
    const takePending = (): Buffer => {
        const batch = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        return batch;
    };
    // About one batch buffered on each side: bounded memory per stream (~3 MiB with the held batch).
    return new Transform({
        highWaterMark: BATCH,
        transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
            seen += chunk.length;
            if (seen > expectedSize) {
                callback(new DigestMismatchError(what, `${expectedDigest} (${expectedSize} bytes)`, `more than ${expectedSize} bytes`));
                return;
            }
            hash.update(chunk);
            pending.push(chunk);
            pendingBytes += chunk.length;
            if (pendingBytes >= BATCH) {
                if (held) this.push(held);
                held = takePending();
            }
            onBytes?.(chunk.length);
            callback();
        },
        flush(callback: TransformCallback): void {
            const actual = `${expectedDigest.split(":")[0]}:${hash.digest("hex")}`;
            if (seen !== expectedSize) {
                callback(new DigestMismatchError(what, `${expectedDigest} (${expectedSize} bytes)`, `${seen} bytes`));
            } else if (actual !== expectedDigest) {
                callback(new DigestMismatchError(what, expectedDigest, actual));
            } else {
                if (held) this.push(held);
                callback(null, pendingBytes > 0 ? takePending() : undefined);
            }
        },
    });
}
