// The package's provider serves the push check, the image mirror and the TCR namespace and token (issue 19, item 1):
// started as `npm run provider` starts it, called over gRPC as the engine calls it — secrets in the engine's wire
// envelope — against real loopback registries and the loopback TCR API. The same provider objects as the dynamic
// resources run: the push check really pushes, the mirror really copies, TCR calls are signed with the unwrapped key.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PACKAGE_RESOURCE_TOKENS } from "../components/resources/host";
import { dockerConfig } from "./support/checkRegistries";
import { FakeTcrApi } from "./support/fakeTcr";
import { Crud, isSecret, urnOf } from "./support/providerCrud";
import { FakeEngine, ProviderProcess, secretValue } from "./support/providerHarness";
import { INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "./support/registry";
import { multiLayerImage, pushLayout } from "./support/testImages";

type Props = Record<string, any>;

describe("provider: the push check, the image mirror and TCR as the package's custom resources (CRUD over gRPC)", function () {
    this.timeout(180_000);
    let engine: FakeEngine;
    let provider: ProviderProcess;
    let crud: Crud;

    before(async () => {
        engine = new FakeEngine();
        await engine.start();
        provider = await ProviderProcess.start(engine.address);
        crud = new Crud(provider);
    });
    after(() => {
        provider?.stop();
        engine?.stop();
    });

    it("refuses a type it does not serve, naming the ones it does", async () => {
        await assert.rejects(crud.create(urnOf("dify-plugin-registry:index:Nope", "x"), {}), (err: Error) => {
            assert.match(err.message, /unknown resource type dify-plugin-registry:index:Nope/);
            assert.match(err.message, /dify-plugin-registry:index:RegistryPushCheck/);
            return true;
        });
    });

    describe("RegistryPushCheck against a TLS + htpasswd registry", () => {
        const USER = "push-user";
        const PASSWORD = "custom-Sentinel-pw-71d3";
        const urn = urnOf(PACKAGE_RESOURCE_TOKENS.pushCheck, "dify-push-check");
        let registry: RunningRegistry;
        let inputs: Props;
        let created: { id: string; outs: Props };

        before(async () => {
            assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
            registry = await startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } });
            inputs = {
                prefix: `${registry.host}/dify/plugins`,
                auth: secretValue(JSON.stringify(dockerConfig(registry.host, { username: USER, password: PASSWORD }))),
                insecure: false,
                caFile: registry.caFile,
                settleMs: 0,
            };
        });
        after(() => registry?.stop());

        it("check: takes the secret login (no 'must be docker config JSON'), and gives it back secret", async () => {
            const { inputs: checked, failures } = await crud.check(urn, {}, inputs);
            assert.deepEqual(failures, []);
            assert.ok(isSecret(checked.auth), JSON.stringify(checked.auth));
            assert.equal(checked.prefix, inputs.prefix);
        });

        it("check: a bad prefix is refused by the push check's own rule", async () => {
            const { failures } = await crud.check(urn, {}, { ...inputs, prefix: "no registry here" });
            assert.equal(failures[0]?.property, "prefix");
        });

        it("create: pushes and pulls under the prefix with the unwrapped login; the hash and salt come back secret", async () => {
            created = await crud.create(urn, inputs);
            assert.match(created.id, /^push-check-[0-9a-f]{12}$/);
            assert.ok(isSecret(created.outs.loginHash) && isSecret(created.outs.salt), JSON.stringify(created.outs));
            assert.match(created.outs.loginHash.value, /^[0-9a-f]{64}$/);
            assert.equal(created.outs.prefix, inputs.prefix);
            assert.ok(created.outs.steps.length > 0);
            assert.ok(!JSON.stringify(created.outs).includes(PASSWORD), "no password in the outputs");
            assert.equal(created.outs.auth, undefined);
        });

        it("diff: the same login is no change (the secret salt and hash are read); another password is", async () => {
            assert.equal(await crud.diff(urn, created.id, created.outs, inputs), "none");
            const other = {
                ...inputs,
                auth: secretValue(JSON.stringify(dockerConfig(registry.host, { username: USER, password: "other" }))),
            };
            assert.equal(await crud.diff(urn, created.id, created.outs, other), "some");
        });

        it("update: checks again and keeps the salt; a wrong password fails naming the prefix", async () => {
            const outs = await crud.update(urn, created.id, created.outs, inputs);
            assert.equal(outs.salt.value, created.outs.salt.value);
            assert.ok(isSecret(outs.loginHash));
            const wrong = {
                ...inputs,
                auth: secretValue(JSON.stringify(dockerConfig(registry.host, { username: USER, password: "wrong" }))),
            };
            await assert.rejects(crud.update(urn, created.id, created.outs, wrong), new RegExp(`${registry.host}/dify/plugins`));
        });

        it("read keeps the state as it is (secrets still secret); delete succeeds", async () => {
            const read = await crud.read(urn, created.id, created.outs);
            assert.equal(read.id, created.id);
            assert.deepEqual(read.props, created.outs);
            await crud.delete(urn, created.id, created.outs);
        });
    });

    describe("ImageMirror from a plain-HTTP source into a TLS + htpasswd mirror", () => {
        const USER = "mirror-user";
        const PASSWORD = "mirror-Sentinel-pw-4410";
        const urn = urnOf(PACKAGE_RESOURCE_TOKENS.imageMirror, "dify-image-mirror");
        let source: RunningRegistry;
        let mirror: RunningRegistry;
        let digest: string;
        let inputs: Props;
        let created: { id: string; outs: Props };

        before(async () => {
            assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
            [source, mirror] = await Promise.all([
                startRegistry(),
                startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } }),
            ]);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "served-mirror-"));
            digest = await multiLayerImage(dir, "1.0", "served-mirror", [12_000]);
            await pushLayout(dir, "1.0", source, "library/tool");
            fs.rmSync(dir, { recursive: true, force: true });
            inputs = {
                plan: [{ source: `${source.host}/library/tool:1.0`, target: `${mirror.host}/dify/tool:1.0` }],
                registries: { [source.host]: { insecure: true }, [mirror.host]: { caFile: mirror.caFile } },
                auth: secretValue(JSON.stringify(dockerConfig(mirror.host, { username: USER, password: PASSWORD }))),
            };
        });
        after(() => Promise.all([source?.stop(), mirror?.stop()]));

        it("check takes the secret login; create copies with it and records the source's digest, without the login", async () => {
            const { failures, inputs: checked } = await crud.check(urn, {}, inputs);
            assert.deepEqual(failures, []);
            assert.ok(isSecret(checked.auth));
            created = await crud.create(urn, inputs);
            assert.deepEqual(created.outs.images, [{ ...inputs.plan[0], digest }]);
            assert.equal(created.outs.lastRun.copied, 1);
            assert.equal(created.outs.auth, undefined);
            assert.ok(!JSON.stringify(created.outs).includes(PASSWORD));
        });

        it("diff: nothing to copy is no change; update skips what is in place", async () => {
            assert.equal(await crud.diff(urn, created.id, created.outs, inputs), "none");
            const outs = await crud.update(urn, created.id, created.outs, inputs);
            assert.deepEqual(outs.lastRun, { copied: 0, skipped: 1, bytes: 0 });
        });

        it("a secret plan stays secret in the outputs (an output whose input was secret)", async () => {
            const outs = await crud.update(urn, created.id, created.outs, { ...inputs, plan: secretValue(inputs.plan) });
            assert.ok(isSecret(outs.plan), JSON.stringify(outs.plan));
            assert.deepEqual(outs.plan.value, inputs.plan);
        });
    });

    describe("TcrNamespace and TcrInstanceToken against the loopback TCR API", () => {
        const INSTANCE = "tcr-abc12345";
        const REGION = "ap-guangzhou";
        const SECRET_ID = "AKIDservedtest0001";
        const SECRET_KEY = "Sentinel-served-tcr-key-5c2e";
        let api: FakeTcrApi;
        let connection: Props;

        before(async () => {
            api = new FakeTcrApi();
            const endpoint = await api.start();
            api.credentials.set(SECRET_ID, SECRET_KEY);
            api.addInstance(INSTANCE, "acme", REGION);
            connection = {
                instanceId: INSTANCE,
                region: REGION,
                apiEndpoint: endpoint,
                secretId: secretValue(SECRET_ID),
                secretKey: secretValue(SECRET_KEY),
            };
        });
        after(() => api?.stop());

        it("namespace: create calls the API signed with the unwrapped key; the credentials come back secret; delete removes it", async () => {
            const urn = urnOf(PACKAGE_RESOURCE_TOKENS.tcrNamespace, "dify-tcr-namespace");
            const inputs = { ...connection, namespace: "dify-plugins" };
            const { id, outs } = await crud.create(urn, inputs);
            assert.equal(id, `${INSTANCE}/dify-plugins`);
            assert.ok(api.calls.every((c) => c.signatureValid && c.secretId === SECRET_ID));
            assert.deepEqual([...api.namespaces.get(INSTANCE)!], ["dify-plugins"]);
            assert.equal(outs.domain, "acme.tencentcloudcr.com");
            assert.equal(outs.created, true);
            assert.ok(isSecret(outs.secretId) && isSecret(outs.secretKey));
            assert.equal(await crud.diff(urn, id, outs, inputs), "none");
            assert.equal(await crud.diff(urn, id, outs, { ...inputs, namespace: "other" }), "some");
            const read = await crud.read(urn, id, outs);
            assert.equal(read.id, id);
            assert.ok(isSecret(read.props.secretKey));
            await crud.delete(urn, id, outs);
            assert.deepEqual([...api.namespaces.get(INSTANCE)!], []);
        });

        it("token: create returns the docker password secret; delete deletes the token", async () => {
            const urn = urnOf(PACKAGE_RESOURCE_TOKENS.tcrToken, "dify-tcr-token");
            const { id, outs } = await crud.create(urn, { ...connection, description: "dify-plugin-registry test/dify" });
            assert.ok(isSecret(outs.token) && typeof outs.token.value === "string" && outs.token.value.length > 0);
            assert.ok(isSecret(outs.secretKey));
            assert.equal(typeof outs.username, "string");
            assert.equal(id, `${INSTANCE}/${outs.tokenId}`);
            await crud.delete(urn, id, outs);
            assert.deepEqual(api.actions().at(-1), ["DeleteInstanceToken", { RegistryId: INSTANCE, TokenId: outs.tokenId }]);
        });
    });
});
