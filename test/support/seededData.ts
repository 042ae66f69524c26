// Deterministic, incompressible bytes: the AES-256-CTR keystream of a seed (fast, and the same on every run).
import { createCipheriv, createHash } from "node:crypto";
import { Readable } from "node:stream";

const CHUNK = 1024 * 1024;

function cipher(seed: string) {
    return createCipheriv("aes-256-ctr", createHash("sha256").update(seed).digest(), Buffer.alloc(16));
}

/** `size` bytes derived from `seed`. */
export function seededBytes(seed: string, size: number): Buffer {
    return cipher(seed).update(Buffer.alloc(size));
}

/** The same bytes as a stream, for sizes that should not sit in memory. */
export function seededStream(seed: string, size: number): Readable {
    const c = cipher(seed);
    let left = size;
    return new Readable({
        read() {
            if (left === 0) return void this.push(null);
            const n = Math.min(CHUNK, left);
            left -= n;
            this.push(c.update(Buffer.alloc(n)));
        },
    });
}
