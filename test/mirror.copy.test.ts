// The copier against real registries: a plain-HTTP anonymous source, a TLS + htpasswd target (self-signed CA given
// as caFile). Digests are checked with skopeo (an independent client), mounts with a request-recording proxy.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AuthenticationError, mirrorImages, type MirrorOptions } from "../engines/oci";
import { startHttpProxy } from "./support/proxies";
import { INSTALL_HINT, registryAvailable, startRegistry, type RunningRegistry } from "./support/registry";
import { skopeoInspectRaw } from "./support/skopeo";
import { multiLayerImage, pushLayout, skopeoDigest, tagsOf, twoPlatformIndex, writeAuthFile } from "./support/testImages";

const USER = "mirror";
const PASSWORD = "s3cret-pass";

describe("live: mirror copy between real registries", function () {
    this.timeout(180_000);
    let work: string;
    let source: RunningRegistry | undefined;
    let target: RunningRegistry | undefined;
    let authFile: string;
    let multiDigest: string;
    let index: { indexDigest: string; platformDigests: string[] };
    let options: MirrorOptions;
    const multi = () => `${source!.host}/app/multi:v1`;
    const indexed = () => `${source!.host}/app/index:v1`;

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-copy-"));
        [source, target] = await Promise.all([startRegistry(), startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } })]);
        multiDigest = await multiLayerImage(path.join(work, "multi"), "v1", "multi", [600_000, 300_000, 100_000]);
        index = await twoPlatformIndex(path.join(work, "index"), "v1", "index");
        await pushLayout(path.join(work, "multi"), "v1", source, "app/multi");
        await pushLayout(path.join(work, "index"), "v1", source, "app/index");
        authFile = writeAuthFile(work, target.host, USER, PASSWORD);
        options = { auth: authFile, registries: { [source.host]: { insecure: true }, [target.host]: { caFile: target.caFile } } };
    });

    after(async () => {
        await Promise.all([source?.stop(), target?.stop()]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("live: copies a multi-layer image and a two-platform index with their digests preserved", async () => {
        const plan = [
            { source: multi(), target: `${target!.host}/mirror/app/multi:v1` },
            { source: indexed(), target: `${target!.host}/mirror/app/index:v1` },
        ];
        const report = await mirrorImages(plan, options);
        assert.ok(report.ok, report.results.map((r) => r.error?.message).join("\n"));
        const [m, i] = report.results;
        assert.equal(m.status, "copied");
        assert.deepEqual(m.blobs, { copied: 4, mounted: 0, skipped: 0 }); // config + 3 layers
        assert.equal(m.digest, multiDigest);
        assert.equal(i.status, "copied");
        assert.equal(i.digest, index.indexDigest);
        assert.deepEqual(i.platforms, ["linux/amd64", "linux/arm64"]);
        assert.equal(i.indexRewritten, false);
        assert.equal(await skopeoDigest(plan[0].target, target!, authFile), multiDigest);
        assert.equal(await skopeoDigest(plan[1].target, target!, authFile), index.indexDigest);
        for (const child of index.platformDigests) {
            assert.equal(await skopeoDigest(`${target!.host}/mirror/app/index@${child}`, target!, authFile), child);
        }
        assert.ok(report.bytes > 1_000_000, `uploaded ${report.bytes} bytes`);
    });

    it("live: a second run copies nothing", async () => {
        const plan = [
            { source: multi(), target: `${target!.host}/mirror/app/multi:v1` },
            { source: indexed(), target: `${target!.host}/mirror/app/index:v1` },
        ];
        const report = await mirrorImages(plan, options);
        assert.deepEqual(
            report.results.map((r) => [r.status, r.digest, r.bytes, r.blobs.copied + r.blobs.mounted]),
            [
                ["skipped", multiDigest, 0, 0],
                ["skipped", index.indexDigest, 0, 0],
            ],
        );
        assert.equal(report.copied, 0);
    });

    it("live: a dry run tells what would be copied and writes nothing", async () => {
        const report = await mirrorImages([{ source: multi(), target: `${source!.host}/dry/multi:v1` }], { ...options, dryRun: true });
        assert.equal(report.results[0].status, "would-copy");
        assert.equal(report.results[0].digest, multiDigest);
        assert.deepEqual(await tagsOf(source!, "dry/multi"), []);
    });

    it("live: a platform filter copies the chosen platform under a rewritten index, its manifest unchanged", async () => {
        const to = `${target!.host}/arm/index:v1`;
        const report = await mirrorImages([{ source: indexed(), target: to }], { ...options, platforms: ["linux/arm64"] });
        const [r] = report.results;
        assert.equal(r.status, "copied", r.error?.message);
        assert.deepEqual(r.platforms, ["linux/arm64"]);
        assert.equal(r.indexRewritten, true);
        assert.equal(r.sourceDigest, index.indexDigest);
        const raw = await skopeoInspectRaw(`docker://${to}`, { certDir: target!.certDir, authFile });
        assert.equal(await skopeoDigest(to, target!, authFile), r.digest);
        assert.deepEqual(
            (JSON.parse(raw.toString()) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest),
            [index.platformDigests[1]],
        );
        const again = await mirrorImages([{ source: indexed(), target: to }], { ...options, platforms: ["linux/arm64"] });
        assert.equal(again.results[0].status, "skipped");
    });

    it("live: a copy into another repository of the same registry mounts every blob instead of uploading", async () => {
        const proxy = await startHttpProxy(source!.host);
        try {
            const via = { registries: { [proxy.host]: { insecure: true } } };
            const report = await mirrorImages([{ source: `${proxy.host}/app/multi:v1`, target: `${proxy.host}/copies/multi:v1` }], via);
            const [r] = report.results;
            assert.equal(r.status, "copied", r.error?.message);
            assert.deepEqual(r.blobs, { copied: 0, mounted: 4, skipped: 0 });
            assert.equal(r.bytes, 0);
            const mounts = proxy.requests.filter((q) => q.method === "POST" && q.path.includes("mount="));
            assert.equal(mounts.length, 4);
            assert.ok(
                mounts.every((q) => q.status === 201 && q.path.includes("from=app%2Fmulti")),
                JSON.stringify(mounts),
            );
            const uploads = proxy.requests.filter((q) => q.method === "PUT" && q.path.includes("/blobs/uploads/"));
            const blobReads = proxy.requests.filter((q) => q.method === "GET" && q.path.includes("/blobs/"));
            assert.deepEqual([uploads, blobReads], [[], []]);
            assert.equal(await skopeoDigest(`${source!.host}/copies/multi:v1`, source!), multiDigest);
        } finally {
            await proxy.stop();
        }
    });

    it("live: blobs shared by two images of one run are uploaded once and mounted into the other repository", async () => {
        const plan = [
            { source: multi(), target: `${target!.host}/team-a/multi:v1` },
            { source: multi(), target: `${target!.host}/team-b/multi:v1` },
        ];
        const report = await mirrorImages(plan, options);
        assert.ok(report.ok, report.results.map((r) => r.error?.message).join("\n"));
        const sum = (k: "copied" | "mounted") => report.results.reduce((n, r) => n + r.blobs[k], 0);
        assert.deepEqual([sum("copied"), sum("mounted")], [4, 4]);
        for (const { target: t } of plan) assert.equal(await skopeoDigest(t, target!, authFile), multiDigest);
    });

    it("live: one limit bounds the transfers of all images together, over a few keep-alive connections", async () => {
        const proxy = await startHttpProxy(source!.host);
        try {
            const plan = [
                { source: `${proxy.host}/app/multi:v1`, target: `${target!.host}/limited/multi:v1` },
                { source: `${proxy.host}/app/index:v1`, target: `${target!.host}/limited/index:v1` },
            ];
            const report = await mirrorImages(plan, {
                ...options,
                registries: { ...options.registries, [proxy.host]: { insecure: true } },
                concurrency: 2,
            });
            assert.ok(report.ok, report.results.map((r) => r.error?.message).join("\n"));
            // The bound is the point: never more than the limit across both images. Whether both slots are in use at
            // the same instant depends on timing (a loaded CI machine serialises fast loopback requests), so it is not asserted.
            assert.ok(proxy.maxInFlight() >= 1 && proxy.maxInFlight() <= 2, `${proxy.maxInFlight()} requests in flight at once, limit 2`);
            assert.ok(proxy.requests.length >= 12, `${proxy.requests.length} requests`);
            assert.ok(proxy.connections() <= 3, `${proxy.connections()} connections for ${proxy.requests.length} requests`);
        } finally {
            await proxy.stop();
        }
    });

    it("live: TLS is verified: without the registry's CA the copy fails with a certificate error", async () => {
        const report = await mirrorImages([{ source: multi(), target: `${target!.host}/no-ca/multi:v1` }], {
            ...options,
            registries: { [source!.host]: { insecure: true } },
        });
        assert.equal(report.results[0].status, "failed");
        assert.match(String(report.results[0].error), /self[- ]signed certificate/i);
    });

    it("live: a wrong password fails with a clear error and tags nothing", async () => {
        const wrong = writeAuthFile(work, target!.host, USER, "not-the-password");
        const to = `${target!.host}/denied/multi:v1`;
        const report = await mirrorImages([{ source: multi(), target: to }], { ...options, auth: wrong });
        const [r] = report.results;
        assert.equal(report.ok, false);
        assert.equal(r.status, "failed");
        assert.ok(r.error instanceof AuthenticationError, String(r.error));
        assert.match(
            r.error!.message,
            new RegExp(`${target!.host} rejected the login of "${USER}" \\(HTTP 401\\); check the username and password`),
        );
        const anonymous = await mirrorImages([{ source: multi(), target: to }], { ...options, auth: undefined });
        assert.match(
            String(anonymous.results[0].error),
            /requires a login \(HTTP 401\); add one for "127\.0\.0\.1:\d+" to the docker config/,
        );
        await assert.rejects(skopeoInspectRaw(`docker://${to}`, { certDir: target!.certDir, authFile }), /manifest unknown|not found/i);
    });
});
