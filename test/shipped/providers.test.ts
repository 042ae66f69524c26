// Each dynamic resource's provider as the installed package serializes it (the `__provider` a user's program registers),
// loaded exactly as the engine's dynamic-provider host loads it — `require-from-string` + `.handler()` in a separate
// process whose working directory is the user's project — and run for real: the push check against a TLS + htpasswd
// registry, the image mirror between loopback registries, the TCR providers against the loopback TCR API double.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type CheckRegistries, dockerConfig, LOGINS, startCheckRegistries } from "../support/checkRegistries";
import { FakeTcrApi } from "../support/fakeTcr";
import { INSTALL_HINT, type RunningRegistry, registryAvailable, startRegistry } from "../support/registry";
import { runMocked, runSerializedProvider, type ShippedProject, shippedProject } from "../support/shippedProject";
import { multiLayerImage, pushLayout, skopeoDigest } from "../support/testImages";

/** The serialized provider of the dynamic resource `name` that `program` registers. */
async function providerOf(project: ShippedProject, program: string, name: string): Promise<string> {
    const run = await runMocked(project.dir, project.program("cjs", program), "cjs");
    assert.deepEqual(run.errors, []);
    const resource = run.resources.find((r) => r.name === name);
    assert.ok(resource?.provider, `${program} registers ${name} with a provider`);
    return resource.provider;
}

describe("shipped: serialized dynamic providers run from the user's project", function () {
    this.timeout(600_000);
    let project: ShippedProject;

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        project = await shippedProject();
    });

    describe("push check", () => {
        let fx: CheckRegistries;
        let provider: string;
        let inputs: Record<string, unknown>;

        before(async () => {
            [provider, fx] = await Promise.all([providerOf(project, "docker", "dify-push-check"), startCheckRegistries()]);
            inputs = {
                prefix: `${fx.basic.host}/dify/plugins`,
                auth: JSON.stringify(dockerConfig(fx.basic.host, LOGINS.basic)),
                caFile: fx.basic.caFile,
                settleMs: 0,
            };
        });
        after(() => fx?.stop());

        it("create with the right login passes every step; diff of the same login is no change; delete", async () => {
            const created = await runSerializedProvider(project.dir, provider, "create", [inputs]);
            assert.equal(created.error, undefined);
            assert.match(created.result.id, /^push-check-[0-9a-f]{12}$/);
            assert.equal(created.result.outs.steps.length, 4);
            assert.ok(!JSON.stringify(created.result).includes(LOGINS.basic.password));
            const diff = await runSerializedProvider(project.dir, provider, "diff", [created.result.id, created.result.outs, inputs]);
            assert.deepEqual(diff.result, { changes: false, replaces: [], deleteBeforeReplace: false });
            const deleted = await runSerializedProvider(project.dir, provider, "delete", [created.result.id, created.result.outs]);
            assert.deepEqual(deleted, { result: null });
        });

        it("a wrong password is refused, naming the prefix and the login step, never the password", async () => {
            const wrong = { ...inputs, auth: JSON.stringify(dockerConfig(fx.basic.host, { ...LOGINS.basic, password: "wrong-Sentinel" })) };
            const { error } = await runSerializedProvider(project.dir, provider, "create", [wrong]);
            assert.match(
                error ?? "",
                new RegExp(`^registry push check of ${fx.basic.host}/dify/plugins failed at step "login": login rejected`),
            );
            assert.ok(!error!.includes("wrong-Sentinel"));
        });
    });

    describe("image mirror", () => {
        const PASSWORD = "shipped-mirror-Sentinel-3";
        let work: string;
        let source: RunningRegistry | undefined;
        let target: RunningRegistry | undefined;
        let provider: string;
        let digest: string;

        before(async () => {
            work = fs.mkdtempSync(path.join(os.tmpdir(), "shipped-mirror-"));
            [provider, source, target] = await Promise.all([
                providerOf(project, "docker", "dify-image-mirror"),
                startRegistry(),
                startRegistry({ tls: true, auth: { username: "mirror", password: PASSWORD } }),
            ]);
            digest = await multiLayerImage(path.join(work, "image"), "v1", "shipped-mirror", [200_000, 50_000]);
            await pushLayout(path.join(work, "image"), "v1", source, "upstream/app");
        });
        after(async () => {
            await Promise.all([source?.stop(), target?.stop()]);
            if (work) fs.rmSync(work, { recursive: true, force: true });
        });

        it("create copies one image with its digest preserved; a second diff is no change; delete leaves the copy", async () => {
            const auth = JSON.stringify({ auths: { [target!.host]: { auth: Buffer.from(`mirror:${PASSWORD}`).toString("base64") } } });
            const inputs = {
                plan: [{ source: `${source!.host}/upstream/app:v1`, target: `${target!.host}/mirror/upstream/app:v1` }],
                registries: { [source!.host]: { insecure: true }, [target!.host]: { caFile: target!.caFile } },
                concurrency: 2,
                auth,
            };
            const created = await runSerializedProvider(project.dir, provider, "create", [inputs]);
            assert.equal(created.error, undefined);
            assert.deepEqual(created.result.outs.images, [{ ...inputs.plan[0], digest }]);
            fs.writeFileSync(path.join(work, "auth.json"), auth);
            assert.equal(await skopeoDigest(inputs.plan[0].target, target!, path.join(work, "auth.json")), digest);
            const diff = await runSerializedProvider(project.dir, provider, "diff", [created.result.id, created.result.outs, inputs]);
            assert.equal(diff.result.changes, false);
            const deleted = await runSerializedProvider(project.dir, provider, "delete", [created.result.id, created.result.outs]);
            assert.deepEqual(deleted, { result: null });
            assert.equal(await skopeoDigest(inputs.plan[0].target, target!, path.join(work, "auth.json")), digest);
        });
    });

    describe("TCR namespace and token", () => {
        const INSTANCE = "tcr-abc12345";
        const REGION = "ap-guangzhou";
        const SECRET_ID = "AKIDshippedtest0001";
        const SECRET_KEY = "Sentinel-shipped-tcr-key";
        let api: FakeTcrApi;
        let connection: Record<string, unknown>;
        let namespaceProvider: string;
        let tokenProvider: string;

        before(async () => {
            namespaceProvider = await providerOf(project, "tcr", "dify-tcr-namespace");
            tokenProvider = await providerOf(project, "tcr", "dify-tcr-token");
            api = new FakeTcrApi();
            const endpoint = await api.start();
            api.credentials.set(SECRET_ID, SECRET_KEY);
            api.addInstance(INSTANCE, "acme", REGION);
            connection = { instanceId: INSTANCE, region: REGION, apiEndpoint: endpoint, secretId: SECRET_ID, secretKey: SECRET_KEY };
        });
        after(() => api?.stop());

        it("namespace: create makes it private through the signed API; diff is no change; delete removes what it created", async () => {
            const inputs = { ...connection, namespace: "dify-plugins" };
            const created = await runSerializedProvider(project.dir, namespaceProvider, "create", [inputs]);
            assert.equal(created.error, undefined);
            assert.equal(created.result.id, `${INSTANCE}/dify-plugins`);
            assert.equal(created.result.outs.domain, "acme.tencentcloudcr.com");
            assert.deepEqual([...api.namespaces.get(INSTANCE)!], ["dify-plugins"]);
            assert.ok(api.calls.every((c) => c.signatureValid === true && c.secretId === SECRET_ID));
            const diff = await runSerializedProvider(project.dir, namespaceProvider, "diff", [
                created.result.id,
                created.result.outs,
                inputs,
            ]);
            assert.equal(diff.result.changes, false);
            const deleted = await runSerializedProvider(project.dir, namespaceProvider, "delete", [created.result.id, created.result.outs]);
            assert.equal(deleted.error, undefined);
            assert.deepEqual([...api.namespaces.get(INSTANCE)!], []);
        });

        it("token: create issues a long-term token; delete revokes it", async () => {
            const inputs = { ...connection, description: "dify-plugin-registry shipped test" };
            const created = await runSerializedProvider(project.dir, tokenProvider, "create", [inputs]);
            assert.equal(created.error, undefined);
            assert.equal(api.tokens.get(INSTANCE)?.size, 1);
            const deleted = await runSerializedProvider(project.dir, tokenProvider, "delete", [created.result.id, created.result.outs]);
            assert.equal(deleted.error, undefined);
            assert.equal(api.tokens.get(INSTANCE)?.size ?? 0, 0);
        });
    });
});
