/**
 * Streaming digest verification. Bytes pass through as they come — no copy, no joined batches — and the last
 * ~1 MiB is held back until the whole stream has hashed correctly, so a target upload never receives its final bytes,
 * and never commits a blob, when the source served wrong bytes.
 */
import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { DigestMismatchError } from "./errors";

/** Bytes held back until the digest is known (whole chunks: at least this much, at most this plus one chunk). */
const HOLD = 1024 * 1024;

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
    // The held chunks, oldest first, from `first` on (a queue without shift()'s cost per chunk).
    let held: Buffer[] = [];
    let first = 0;
    let heldBytes = 0;
    let seen = 0;
    return new Transform({
        highWaterMark: HOLD,
        transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
            seen += chunk.length;
            if (seen > expectedSize) {
                callback(new DigestMismatchError(what, `${expectedDigest} (${expectedSize} bytes)`, `more than ${expectedSize} bytes`));
                return;
            }
            hash.update(chunk);
            held.push(chunk);
            heldBytes += chunk.length;
            // Pass on every chunk that still leaves HOLD bytes held.
            while (heldBytes - held[first].length >= HOLD) {
                const out = held[first++];
                heldBytes -= out.length;
                this.push(out);
            }
            if (first >= 1024) {
                held = held.slice(first);
                first = 0;
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
                for (let i = first; i < held.length; i++) this.push(held[i]);
                held = [];
                callback();
            }
        },
    });
}
