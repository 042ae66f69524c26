// Faults survived (or refused) against real registries: a connection reset in the middle of a blob, the target
// registry restarted during a run, a source serving wrong bytes for a blob, and a 429 with Retry-After.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DigestMismatchError, mirrorImages, type ProgressEvent } from "../engines/oci";
import { startCuttingProxy, startHttpProxy } from "./support/proxies";
import { INSTALL_HINT, registryAvailable, startRegistry, type RunningRegistry } from "./support/registry";
import { skopeoCopy } from "./support/skopeo";
import { multiLayerImage, pushLayout, skopeoDigest, tagsOf, twoPlatformIndex } from "./support/testImages";

const MB = 1024 * 1024;

describe("live: mirror faults", function () {
    this.timeout(180_000);
    let work: string;
    let source: RunningRegistry | undefined;
    let target: RunningRegistry | undefined;
    let bigDigest: string;
    let indexDigest: string;
    let layerDigests: string[];
    const insecure = (...hosts: string[]) => ({ registries: Object.fromEntries(hosts.map((h) => [h, { insecure: true }])) });

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-faults-"));
        [source, target] = await Promise.all([startRegistry(), startRegistry()]);
        bigDigest = await multiLayerImage(path.join(work, "big"), "v1", "big", [6 * MB, 6 * MB, 6 * MB]);
        await pushLayout(path.join(work, "big"), "v1", source, "app/big");
        const manifest = JSON.parse(fs.readFileSync(path.join(work, "big", "blobs", "sha256", bigDigest.slice(7)), "utf8"));
        layerDigests = manifest.layers.map((l: { digest: string }) => l.digest);
        ({ indexDigest } = await twoPlatformIndex(path.join(work, "index"), "v1", "faults"));
        await pushLayout(path.join(work, "index"), "v1", source, "app/index");
    });

    after(async () => {
        await Promise.all([source?.stop(), target?.stop()]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    /** skopeo pulls the image back and checks every blob's digest itself. */
    async function pullsIntact(ref: string): Promise<void> {
        const out = path.join(work, `pulled-${Date.now()}`);
        const result = await skopeoCopy({ src: `docker://${ref}`, dest: `oci:${out}:x`, srcTlsVerify: false });
        assert.ok(result.ok, result.stderr);
        fs.rmSync(out, { recursive: true, force: true });
    }

    it("live: a connection reset in the middle of a blob is retried and the copy completes", async () => {
        const proxy = await startCuttingProxy(source!.host, 2 * MB);
        try {
            const retries: ProgressEvent[] = [];
            const to = `${target!.host}/cut/big:v1`;
            const report = await mirrorImages([{ source: `${proxy.host}/app/big:v1`, target: to }], {
                ...insecure(proxy.host, target!.host),
                onProgress: (e) => e.type === "retry" && retries.push(e),
            });
            assert.equal(proxy.cuts(), 1, "the proxy never cut a connection: the test proved nothing");
            assert.equal(report.results[0].status, "copied", String(report.results[0].error));
            assert.ok(retries.length >= 1, "no retry was reported");
            const message = (retries[0] as Extract<ProgressEvent, { type: "retry" }>).message;
            // Resumed where the connection dropped, not from byte zero.
            assert.match(
                message,
                /^GET 127\.0\.0\.1:\d+\/app\/big blob sha256:[0-9a-f]{64} from byte [1-9]\d*: .*(ECONNRESET|aborted|socket hang up)/,
            );
            assert.equal(await skopeoDigest(to, target!), bigDigest);
            await pullsIntact(to);
        } finally {
            await proxy.stop();
        }
    });

    it("live: the target registry stopped and restarted mid-run: the run or a re-run completes", async () => {
        const to = `${target!.host}/restart/big:v1`;
        let restarted: Promise<void> | undefined;
        let finished = false;
        let retried = 0;
        const first = await mirrorImages([{ source: `${source!.host}/app/big:v1`, target: to }], {
            ...insecure(source!.host, target!.host),
            concurrency: 1, // one blob at a time, so the restart lands between and inside uploads
            onProgress: (e) => {
                if (e.type === "retry") retried++;
                if (e.type === "blob-progress" && e.transferred >= MB && !restarted) restarted = target!.restart();
            },
        }).finally(() => (finished = true));
        assert.ok(restarted, "the registry was never restarted: the test proved nothing");
        await restarted;
        assert.ok(retried > 0 || !first.ok, "the restart went unnoticed (no retry, no failure)");
        assert.equal(finished, true);
        const rerun = await mirrorImages([{ source: `${source!.host}/app/big:v1`, target: to }], insecure(source!.host, target!.host));
        assert.ok(rerun.ok, String(rerun.results[0].error));
        assert.equal(rerun.results[0].digest, bigDigest);
        assert.equal(rerun.results[0].status, first.ok ? "skipped" : "copied");
        assert.equal(await skopeoDigest(to, target!), bigDigest);
        await pullsIntact(to);
    });

    it("live: a blob whose bytes do not match its digest fails loudly and nothing is tagged", async () => {
        const corrupted = layerDigests[1];
        const proxy = await startHttpProxy(source!.host, { corrupt: (method, p) => method === "GET" && p.endsWith(`/blobs/${corrupted}`) });
        try {
            const retries: ProgressEvent[] = [];
            const report = await mirrorImages(
                [
                    { source: `${proxy.host}/app/big:v1`, target: `${target!.host}/corrupt/big:v1` },
                    { source: `${proxy.host}/app/index:v1`, target: `${target!.host}/corrupt/index:v1` },
                ],
                { ...insecure(proxy.host, target!.host), onProgress: (e) => e.type === "retry" && retries.push(e) },
            );
            const [bad, good] = report.results;
            assert.equal(report.ok, false);
            assert.equal(bad.status, "failed");
            assert.ok(bad.error instanceof DigestMismatchError, String(bad.error));
            assert.match(bad.error.message, new RegExp(`blob ${corrupted}: content does not match its digest .*nothing was tagged`));
            assert.equal(
                proxy.requests.filter((r) => r.path.endsWith(`/blobs/${corrupted}`)).length,
                1,
                "a digest mismatch must not be retried",
            );
            assert.deepEqual(retries, []);
            assert.deepEqual(await tagsOf(target!, "corrupt/big"), []);
            const head = await fetch(`${target!.url}/v2/corrupt/big/blobs/${corrupted}`, { method: "HEAD" });
            assert.equal(head.status, 404, "the corrupted blob must not be committed");
            assert.equal(good.status, "copied", "one bad image must not stop the others");
            assert.equal(good.digest, indexDigest);
        } finally {
            await proxy.stop();
        }
    });

    it("live: a 429 with Retry-After is waited out", async () => {
        let throttled = 0;
        const proxy = await startHttpProxy(target!.host, {
            intercept: (method, p) =>
                method === "PUT" && p.includes("/manifests/") && throttled++ === 0
                    ? { status: 429, headers: { "retry-after": "1" } }
                    : undefined,
        });
        try {
            const retries: Extract<ProgressEvent, { type: "retry" }>[] = [];
            const started = Date.now();
            const report = await mirrorImages([{ source: `${source!.host}/app/index:v1`, target: `${proxy.host}/throttled/index:v1` }], {
                ...insecure(source!.host, proxy.host),
                onProgress: (e) => e.type === "retry" && retries.push(e),
            });
            assert.equal(report.results[0].status, "copied", String(report.results[0].error));
            assert.deepEqual(
                retries.map((r) => [r.attempt, r.delayMs]),
                [[1, 1000]],
            );
            assert.match(retries[0].message, /HTTP 429/);
            assert.ok(Date.now() - started >= 1000);
            assert.deepEqual(await tagsOf(target!, "throttled/index"), ["v1"]);
        } finally {
            await proxy.stop();
        }
    });
});
