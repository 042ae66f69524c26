// Under Construct, the component creates the package's own resources, never dynamic ones (issue 19, item 1): the
// provider process started as `npm run provider` starts it, given a TCR registry with a managed token (the namespace
// and token resources), the push check on and pluginConnector.mirrorImages (the image mirror). Each served resource
// is the package's token, a custom resource under the component, pinned to the package version, with the inputs the
// dynamic resource would get and its credentials secret.
import * as assert from "node:assert/strict";
import { PACKAGE_RESOURCE_TOKENS } from "../components/resources/host";
import { packageVersion } from "../provider/version";
import { PLUGIN_REGISTRY_TOKEN } from "../provider/schema";
import { isSecretValue } from "./support/mocks";
import { FakeEngine, ProviderProcess, secretValue } from "./support/providerHarness";

describe("provider: Construct creates the package's resources, not dynamic ones", function () {
    this.timeout(120_000);
    let engine: FakeEngine;
    let provider: ProviderProcess;

    before(async () => {
        engine = new FakeEngine({
            // What the served resources answer (their provider objects are tested against loopback APIs elsewhere).
            [PACKAGE_RESOURCE_TOKENS.tcrNamespace]: (_name, inputs) => ({
                state: { domain: "acme.tencentcloudcr.com", instanceName: "acme", namespace: inputs.namespace, created: true },
            }),
            [PACKAGE_RESOURCE_TOKENS.tcrToken]: () => ({
                state: { tokenId: "token-1", username: "100012345678", token: "tcr-token-value", enabled: true },
            }),
            [PACKAGE_RESOURCE_TOKENS.imageMirror]: (_name, inputs) => ({
                state: {
                    images: (inputs.plan as { source: string; target: string }[]).map((item) => ({
                        ...item,
                        digest: `sha256:${"0".repeat(64)}`,
                    })),
                },
            }),
        });
        await engine.start();
        provider = await ProviderProcess.start(engine.address);
    });
    after(() => {
        provider?.stop();
        engine?.stop();
    });

    it("TCR namespace and token, push check and image mirror: the package's tokens, children of the component, at the package version", async () => {
        await provider.construct(engine, PLUGIN_REGISTRY_TOKEN, "dify", {
            namespace: "dify",
            tcr: {
                instanceId: "tcr-abc12345",
                region: "ap-guangzhou",
                namespace: "dify-plugins",
                secretId: secretValue("AKIDconstructserved01"),
                secretKey: secretValue("Sentinel-construct-key-8d1f"),
            },
            chart: { version: "3.9.1" },
            pluginConnector: { imageMirror: "mirror.example.com/dify-mirror", mirrorImages: {} },
        });
        const children = engine.children();
        assert.deepEqual(
            children.filter((r) => r.type.startsWith("pulumi-nodejs:")).map((r) => `${r.type}::${r.name}`),
            [],
            "no dynamic resource under the provider",
        );
        const served = children.filter((r) => r.type.startsWith("dify-plugin-registry:index:") && r.custom);
        assert.deepEqual(served.map((r) => `${r.type}::${r.name}`).sort(), [
            `${PACKAGE_RESOURCE_TOKENS.imageMirror}::dify-image-mirror`,
            `${PACKAGE_RESOURCE_TOKENS.pushCheck}::dify-push-check`,
            `${PACKAGE_RESOURCE_TOKENS.tcrToken}::dify-tcr-token`,
            `${PACKAGE_RESOURCE_TOKENS.tcrNamespace}::dify-tcr-namespace`,
        ]);
        const component = engine.registrations[0];
        assert.equal(component.type, PLUGIN_REGISTRY_TOKEN);
        for (const r of served) {
            assert.equal(r.version, packageVersion(), `${r.name} is pinned to the package version`);
            assert.match(r.parent, /::dify-plugin-registry:index:PluginRegistry::dify$/, r.name);
            assert.equal(r.inputs.__provider, undefined, `${r.name} carries no serialized provider`);
        }
        const byName = (name: string) => served.find((r) => r.name === name)!;
        for (const name of ["dify-tcr-namespace", "dify-tcr-token"]) {
            const inputs = byName(name).inputs;
            assert.equal(inputs.instanceId, "tcr-abc12345");
            assert.ok(isSecretValue(inputs.secretId) && isSecretValue(inputs.secretKey), `${name}: credentials secret`);
        }
        assert.equal(byName("dify-tcr-namespace").inputs.namespace, "dify-plugins");
        // The check logs in with the token's login, and the mirror pushes with it: both secret.
        assert.equal(byName("dify-push-check").inputs.prefix, "acme.tencentcloudcr.com/dify-plugins");
        assert.ok(isSecretValue(byName("dify-push-check").inputs.auth));
        assert.ok(isSecretValue(byName("dify-image-mirror").inputs.auth));
        assert.ok((byName("dify-image-mirror").inputs.plan as unknown[]).length > 0);
    });
});
