// The mirror library's pure parts: references, credentials, challenges, retry timing, limiter, platforms, the
// streaming digest check, and where images go in a mirror.
import * as assert from "node:assert/strict";
import { Readable, Writable, pipeline } from "node:stream";
import {
    AuthenticationError,
    CredentialStore,
    DigestMismatchError,
    Limiter,
    RegistryError,
    isRetryable,
    parsePlatform,
    parseRemoteImage,
    parseRetryAfter,
    parseWwwAuthenticate,
    planMirror,
} from "../engines/oci";
import { filterIndex } from "../engines/oci/platforms";
import { URGENT } from "../engines/oci/limiter";
import { backoffDelay, DEFAULT_RETRY_POLICY, withRetry } from "../engines/oci/retry";
import { createDigestVerifier } from "../engines/oci/verify";
import { digestOf } from "./support/testImages";

describe("mirror: references and credentials", () => {
    it("resolves Docker Hub names to its API host and keeps other registries", () => {
        assert.deepEqual(parseRemoteImage("nginx:1.29.4-alpine"), {
            registry: "docker.io",
            host: "registry-1.docker.io",
            repository: "library/nginx",
            tag: "1.29.4-alpine",
        });
        assert.deepEqual(parseRemoteImage("127.0.0.1:5000/a/b"), {
            registry: "127.0.0.1:5000",
            host: "127.0.0.1:5000",
            repository: "a/b",
            tag: "latest",
        });
        const pinned = parseRemoteImage(`gcr.io/kaniko-project/executor@sha256:${"a".repeat(64)}`);
        assert.equal(pinned.tag, undefined);
        assert.equal(pinned.digest, `sha256:${"a".repeat(64)}`);
    });

    it("rejects malformed references with the reason", () => {
        assert.throws(() => parseRemoteImage("Nginx:1"), /not lowercase/);
        assert.throws(() => parseRemoteImage("https://x.io/a:1"), /invalid image reference/);
        assert.throws(() => parseRemoteImage("x.io/a@sha256:abc"), /bad digest/);
    });

    it("finds logins however the docker config spells the registry", () => {
        const b64 = (s: string) => Buffer.from(s).toString("base64");
        const store = new CredentialStore({
            auths: {
                "https://index.docker.io/v1/": { auth: b64("hub:tok:en") },
                "https://harbor.example.com": { auth: b64("robot$x:secret") },
                "10.0.0.5:5000": { username: "u", password: "p" },
            },
        });
        assert.deepEqual(store.lookup("docker.io"), { username: "hub", password: "tok:en" });
        assert.deepEqual(store.lookup("registry-1.docker.io"), { username: "hub", password: "tok:en" });
        assert.deepEqual(store.lookup("harbor.example.com"), { username: "robot$x", password: "secret" });
        assert.deepEqual(store.lookup("10.0.0.5:5000"), { username: "u", password: "p" });
        assert.equal(store.lookup("ghcr.io"), undefined);
    });

    it("parses Bearer and Basic challenges, quoted commas included", () => {
        assert.deepEqual(
            parseWwwAuthenticate(
                'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"',
            ),
            {
                scheme: "bearer",
                params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:a/b:pull,push" },
            },
        );
        assert.deepEqual(parseWwwAuthenticate('Basic realm="test \\"registry\\""'), {
            scheme: "basic",
            params: { realm: 'test "registry"' },
        });
        assert.equal(parseWwwAuthenticate(undefined), undefined);
    });
});

describe("mirror: retries and the limiter", () => {
    it("retries transient statuses and resets, never auth or digest failures", () => {
        assert.ok(isRetryable(new RegistryError("x", 503)));
        assert.ok(isRetryable(new RegistryError("x", 429)));
        assert.ok(isRetryable(Object.assign(new Error("read"), { code: "ECONNRESET" })));
        assert.ok(isRetryable(new Error("socket hang up")));
        assert.ok(!isRetryable(new RegistryError("x", 404)));
        assert.ok(!isRetryable(new AuthenticationError("x", 401)));
        assert.ok(!isRetryable(new DigestMismatchError("blob", "sha256:a", "sha256:b")));
    });

    it("nested retries do not multiply: an error an inner withRetry gave up on is not retried by the outer one", async () => {
        const policy = { ...DEFAULT_RETRY_POLICY, attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
        let calls = 0;
        const refused = () => {
            calls++;
            return Promise.reject(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }));
        };
        // A request (outer) whose first step is the session's ping (inner), both retried: 3 tries, not 3 × 3.
        await assert.rejects(
            withRetry(() => withRetry(refused, policy), policy),
            /ECONNREFUSED/,
        );
        assert.equal(calls, 3);
        // A transient failure inside still gets the inner tries, then succeeds.
        let flaky = 0;
        const value = await withRetry(() => withRetry(() => (++flaky < 3 ? refused() : Promise.resolve("ok")), policy), policy);
        assert.equal(value, "ok");
    });

    it("honours Retry-After (seconds or date), capped, over the exponential backoff", () => {
        assert.equal(parseRetryAfter("3"), 3000);
        assert.equal(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 10)).toUTCString(), Date.UTC(2030, 0, 1)), 10_000);
        assert.equal(parseRetryAfter("soon"), undefined);
        assert.equal(backoffDelay(0, DEFAULT_RETRY_POLICY, 2000), 2000);
        assert.equal(backoffDelay(0, DEFAULT_RETRY_POLICY, 10 * 60_000), DEFAULT_RETRY_POLICY.maxRetryAfterMs);
        for (let attempt = 0; attempt < 8; attempt++) {
            const d = backoffDelay(attempt, DEFAULT_RETRY_POLICY);
            const ceiling = Math.min(DEFAULT_RETRY_POLICY.maxDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** attempt);
            assert.ok(d >= ceiling / 2 && d <= ceiling, `attempt ${attempt}: ${d} outside [${ceiling / 2}, ${ceiling}]`);
        }
    });

    it("never runs more than its limit at once, and runs everything", async () => {
        const limiter = new Limiter(3);
        let running = 0;
        let peak = 0;
        const done = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
                limiter.run(async () => {
                    peak = Math.max(peak, ++running);
                    await new Promise((r) => setTimeout(r, 1 + (i % 4)));
                    running--;
                    return i;
                }),
            ),
        );
        assert.equal(peak, 3);
        assert.deepEqual(
            done,
            Array.from({ length: 20 }, (_, i) => i),
        );
        assert.equal(limiter.running, 0);
    });
});

describe("mirror: limiter priorities", () => {
    it("starts urgent work first, then larger blobs, then first come first served", async () => {
        const limiter = new Limiter(1);
        const order: string[] = [];
        let release!: () => void;
        const blocker = limiter.run(() => new Promise<void>((r) => (release = r)));
        const queued = [
            limiter.run(async () => void order.push("small"), 10),
            limiter.run(async () => void order.push("big"), 1000),
            limiter.run(async () => void order.push("manifest"), URGENT),
            limiter.run(async () => void order.push("small-2"), 10),
        ];
        release();
        await Promise.all([blocker, ...queued]);
        assert.deepEqual(order, ["manifest", "big", "small", "small-2"]);
    });
});

describe("mirror: platform filter", () => {
    const child = (arch: string, digit: string, extra: object = {}) => ({
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: `sha256:${digit.repeat(64)}`,
        size: 100,
        platform: { os: "linux", architecture: arch },
        ...extra,
    });
    const amd = child("amd64", "1");
    const arm = child("arm64", "2", { platform: { os: "linux", architecture: "arm64", variant: "v8" } });
    const att = child("unknown", "3", {
        platform: { os: "unknown", architecture: "unknown" },
        annotations: { "vnd.docker.reference.digest": amd.digest },
    });
    const bytes = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [amd, arm, att] }),
    );
    const digest = digestOf(bytes);

    it("keeps the index byte for byte without a filter or when every platform is chosen", () => {
        assert.equal(filterIndex(bytes, digest, [amd, arm, att], undefined, "x").bytes, bytes);
        const all = filterIndex(bytes, digest, [amd, arm], [parsePlatform("linux/amd64"), parsePlatform("linux/arm64")], "x");
        assert.equal(all.rewritten, false);
        assert.equal(all.digest, digest);
    });

    it("rewrites the index to the chosen platforms, attestations following their image", () => {
        const only = filterIndex(bytes, digest, [amd, arm, att], [parsePlatform("linux/amd64")], "x");
        assert.equal(only.rewritten, true);
        assert.deepEqual(
            only.children.map((c) => c.digest),
            [amd.digest, att.digest],
        );
        assert.equal(only.digest, digestOf(only.bytes));
        assert.deepEqual(JSON.parse(only.bytes.toString()).manifests, [amd, att]);
        assert.throws(
            () => filterIndex(bytes, digest, [amd, arm], [parsePlatform("linux/s390x")], "img"),
            /img: none of the platforms linux\/s390x.*linux\/arm64\/v8/,
        );
        assert.throws(() => parsePlatform("amd64"), /os\/arch/);
    });
});

describe("mirror: streaming digest check", () => {
    /** Pipes `data` through a verifier; returns what got through and the error. */
    async function verify(data: Buffer, digest: string, size: number): Promise<{ out: Buffer; error?: Error }> {
        const chunks: Buffer[] = [];
        const sink = new Writable({
            write: (c: Buffer, _e, cb) => {
                chunks.push(c);
                cb();
            },
        });
        const source = Readable.from([data.subarray(0, 10), data.subarray(10, 20), data.subarray(20)]);
        const error = await new Promise<Error | undefined>((resolve) =>
            pipeline(source, createDigestVerifier(digest, size, "blob"), sink, (e) => resolve(e ?? undefined)),
        );
        return { out: Buffer.concat(chunks), error };
    }
    const data = Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz");

    it("passes matching bytes through unchanged", async () => {
        const { out, error } = await verify(data, digestOf(data), data.length);
        assert.equal(error, undefined);
        assert.deepEqual(out, data);
    });

    it("withholds the last chunk when the bytes do not match, so an upload never completes", async () => {
        const { out, error } = await verify(data, digestOf(Buffer.from("other")), data.length);
        assert.ok(error instanceof DigestMismatchError, String(error));
        assert.ok(out.length < data.length, `${out.length} bytes got through`);
        const short = await verify(data, digestOf(data), data.length + 1);
        assert.match(String(short.error), /36 bytes/);
    });
});

describe("mirror: the digest check passes bytes on without copying them", () => {
    it("hands on the source's own chunks and holds back the last MiB until the digest matches", async () => {
        // 40 chunks of 64 KiB (2.5 MiB): what a plain-HTTP socket reads.
        const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(64 * 1024, i));
        const data = Buffer.concat(chunks);
        const verifier = createDigestVerifier(digestOf(data), data.length, "blob");
        const out: Buffer[] = [];
        let outBytes = 0;
        verifier.on("data", (c: Buffer) => {
            out.push(c);
            outBytes += c.length;
        });
        const before: number[] = []; // bytes handed on before the source ended
        for (const chunk of chunks) {
            await new Promise<void>((resolve) => verifier.write(chunk, () => resolve()));
            before.push(outBytes);
        }
        // Before the end, at least 1 MiB is withheld: an upload cannot complete with wrong bytes.
        const withheld = before.map((n, i) => (i + 1) * 64 * 1024 - n);
        assert.ok(
            withheld.every((w, i) => w >= Math.min((i + 1) * 64 * 1024, 1024 * 1024)),
            `withheld: ${withheld.join(",")}`,
        );
        assert.ok(before[before.length - 1] > 0, "nothing handed on before the end");
        await new Promise<void>((resolve, reject) => verifier.end((err?: Error | null) => (err ? reject(err) : resolve())));
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(Buffer.concat(out), data);
        // The same Buffers, not copies: no batch is joined (a copy of every byte and a GC's worth of garbage).
        assert.equal(out.length, chunks.length);
        for (const [i, c] of out.entries()) assert.equal(c, chunks[i], `chunk ${i} is a copy`);
    });
});

describe("mirror: targets in the mirror", () => {
    it("plans targets under the mirror, without duplicates, and refuses collisions", () => {
        assert.deepEqual(
            planMirror(
                ["nginx:1.29.4-alpine", "docker.io/library/nginx:1.29.4-alpine", "gcr.io/kaniko-project/executor:latest"],
                "harbor.example.com/mirror/",
            ),
            [
                { source: "docker.io/library/nginx:1.29.4-alpine", target: "harbor.example.com/mirror/nginx:1.29.4-alpine" },
                { source: "gcr.io/kaniko-project/executor:latest", target: "harbor.example.com/mirror/kaniko-project/executor:latest" },
            ],
        );
        assert.throws(() => planMirror(["a.io/x/y:1", "b.io/x/y:1"], "m.io/p"), /would both be mirrored to m\.io\/p\/x\/y:1/);
        assert.throws(() => planMirror(["nginx:1"], "mirror"), /must start with a registry host/);
    });
});
