// The image mirror's dynamic provider as Pulumi serializes it (under tsx and under ts-node, the Pulumi CLI's runtime),
// loaded the way the engine's dynamic-provider process loads it, run against real loopback registries: a plain-HTTP
// anonymous source and a TLS + htpasswd target. Digests are checked with skopeo.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { type ImageMirrorInputs, type ImageMirrorOutputs, imageMirrorProvider } from "../components/resources/imageMirror/provider";
import { loadSerializedProvider } from "./support/dynamicProviders";
import { INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "./support/registry";
import { multiLayerImage, pushLayout, skopeoDigest, twoPlatformIndex } from "./support/testImages";

const ROOT = path.resolve(__dirname, "..");
const USER = "mirror";
const PASSWORD = "provider-Sentinel-pass-7c1";
const dockerConfig = (host: string, password = PASSWORD) =>
    JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${USER}:${password}`).toString("base64") } } });

async function serializeHere(): Promise<string> {
    return (await pulumi.runtime.serializeFunction(() => imageMirrorProvider, { allowSecrets: true })).text;
}

async function serializeWithTsNode(): Promise<string> {
    const { stdout } = await promisify(execFile)(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "test/support/serializeMirrorProvider.ts"],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout) as string;
}

for (const [runtime, serialize] of [
    ["tsx, in this process", serializeHere],
    ["ts-node, as the Pulumi CLI runs programs", serializeWithTsNode],
] as const) {
    describe(`live: image mirror dynamic provider serialized by Pulumi (${runtime}), run against real registries`, function () {
        this.timeout(180_000);
        let work: string;
        let source: RunningRegistry | undefined;
        let target: RunningRegistry | undefined;
        let text: string;
        let provider: pulumi.dynamic.ResourceProvider<ImageMirrorInputs, ImageMirrorOutputs>;
        let multiDigest: string;
        let indexDigest: string;
        let inputs: ImageMirrorInputs;

        before(async () => {
            assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
            work = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-provider-"));
            [text, source, target] = await Promise.all([
                serialize(),
                startRegistry(),
                startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } }),
            ]);
            provider = loadSerializedProvider(text);
            multiDigest = await multiLayerImage(path.join(work, "multi"), "v1", "prov-multi", [300_000, 100_000]);
            indexDigest = (await twoPlatformIndex(path.join(work, "index"), "v1", "prov-index")).indexDigest;
            await pushLayout(path.join(work, "multi"), "v1", source, "upstream/multi");
            await pushLayout(path.join(work, "index"), "v1", source, "upstream/index");
            inputs = {
                plan: [
                    { source: `${source.host}/upstream/multi:v1`, target: `${target.host}/mirror/upstream/multi:v1` },
                    { source: `${source.host}/upstream/index:v1`, target: `${target.host}/mirror/upstream/index:v1` },
                ],
                registries: { [source.host]: { insecure: true }, [target.host]: { caFile: target.caFile } },
                concurrency: 4,
                auth: dockerConfig(target.host),
            };
        });

        after(async () => {
            await Promise.all([source?.stop(), target?.stop()]);
            if (work) fs.rmSync(work, { recursive: true, force: true });
        });

        it("is self-contained: requires only Node built-ins and yaml (the package's dependency: the chart's index.yaml and Chart.yaml)", () => {
            assert.match(text, /^exports\.handler = /);
            const requires = [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
            assert.deepEqual(requires, ["crypto", "fs", "http", "https", "perf_hooks", "stream", "tls", "yaml", "zlib"]);
        });

        it("check: accepts a plan; a malformed auth is refused without echoing it", async () => {
            assert.deepEqual((await provider.check!({} as ImageMirrorInputs, inputs)).failures, []);
            const { failures } = await provider.check!({} as ImageMirrorInputs, { ...inputs, auth: "not-json-Sentinel" });
            assert.equal(failures!.length, 1);
            assert.equal(failures![0].property, "auth");
            assert.ok(!failures![0].reason.includes("Sentinel"));
        });

        it("create: copies the plan and records each target's digest (equal to skopeo's); the login is not in the outputs", async () => {
            const { id, outs } = await provider.create(inputs);
            assert.match(id, /^mirror-2-/);
            assert.deepEqual(outs!.images, [
                { source: inputs.plan[0].source, target: inputs.plan[0].target, digest: multiDigest },
                { source: inputs.plan[1].source, target: inputs.plan[1].target, digest: indexDigest },
            ]);
            assert.equal(outs!.lastRun.copied, 2);
            assert.ok(outs!.lastRun.bytes > 400_000);
            assert.equal(await skopeoDigest(inputs.plan[0].target, target!, path.join(work, "auth.json")).catch(() => ""), "");
            fs.writeFileSync(path.join(work, "auth.json"), inputs.auth!);
            assert.equal(await skopeoDigest(inputs.plan[0].target, target!, path.join(work, "auth.json")), multiDigest);
            assert.equal(await skopeoDigest(inputs.plan[1].target, target!, path.join(work, "auth.json")), indexDigest);
            const state = JSON.stringify(outs);
            assert.ok(!("auth" in outs!));
            assert.ok(!state.includes(PASSWORD) && !state.includes(Buffer.from(`${USER}:${PASSWORD}`).toString("base64")));
        });

        it("diff: nothing changed or new credentials alone → no changes; a new image, new platforms or a stale image → changes", async () => {
            const { outs } = await provider.create(inputs);
            assert.deepEqual(await provider.diff!("id", outs!, inputs), { changes: false, replaces: [], deleteBeforeReplace: false });
            assert.equal((await provider.diff!("id", outs!, { ...inputs, auth: dockerConfig(target!.host, "rotated") })).changes, false);
            const grown = {
                ...inputs,
                plan: [...inputs.plan, { source: inputs.plan[0].source, target: `${target!.host}/mirror/extra:v1` }],
            };
            assert.deepEqual(await provider.diff!("id", outs!, grown), { changes: true, replaces: [], deleteBeforeReplace: false });
            assert.equal((await provider.diff!("id", outs!, { ...inputs, platforms: ["linux/amd64"] })).changes, true);
            // An image a refresh found stale has no digest: copied again.
            const stale = { ...outs!, images: outs!.images.map((i, n) => (n === 0 ? { ...i, digest: "" } : i)) };
            assert.equal((await provider.diff!("id", stale, inputs)).changes, true);
        });

        it("update: with everything in place copies nothing (HEAD-skips); a new image alone is copied", async () => {
            const { outs } = await provider.create(inputs);
            const again = await provider.update!("id", outs!, inputs);
            assert.deepEqual(again.outs!.lastRun, { copied: 0, skipped: 2, bytes: 0 });
            assert.deepEqual(again.outs!.images, outs!.images);
            const grown = {
                ...inputs,
                plan: [...inputs.plan, { source: inputs.plan[0].source, target: `${target!.host}/mirror/extra:v1` }],
            };
            const updated = await provider.update!("id", outs!, grown);
            assert.equal(updated.outs!.lastRun.copied, 1);
            assert.equal(updated.outs!.lastRun.skipped, 2);
            assert.equal(updated.outs!.images[2].digest, multiDigest);
        });

        it("read: without the login the private target cannot be checked, and the state is kept", async () => {
            const { outs } = await provider.create(inputs);
            assert.deepEqual(await provider.read!("id", outs), { id: "id", props: outs });
        });

        it("create: a wrong password fails with the registry and what to check, and records nothing", async () => {
            const plan = [{ source: inputs.plan[0].source, target: `${target!.host}/mirror/denied:v1` }];
            await assert.rejects(provider.create({ ...inputs, plan, auth: dockerConfig(target!.host, "wrong") }), (err: Error) => {
                assert.match(err.message, /^image mirror: 1 of 1 images failed:/);
                assert.match(err.message, /rejected the login of "mirror".*check the username and password/s);
                assert.ok(!err.message.includes("wrong"));
                return true;
            });
        });
    });
}
