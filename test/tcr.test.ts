import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ResourceValidationArgs } from "@pulumi/policy";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { TcrInstanceToken } from "../components/resources/tcr/resource";
import { mandatoryPolicies } from "../policy/policies";
import { PROJECT } from "../program/config";
import { runStack } from "../program/main";
import { readStackFile, stackFilePath } from "../program/offline/stackFile";
import { synthStack } from "../program/offline/synth";
import { DYNAMIC_TYPE } from "./support/dynamicProviders";
import { evaluate } from "./support/evaluate";
import { withTencentCloudEnv } from "./support/fakeTcr";
import { redactSecrets, registered, RecordedResource, resetRecorded, settle, unwrapSecrets, useMocks, resolved } from "./support/mocks";
import { INSTANCE, REGION, SECRET_ID, SECRET_KEY, useFakeTcr } from "./support/tcrFixture";
import { connectorOf, DOCKER_CONNECTOR, dockerConfigOf } from "./support/recorded";

const ROOT = path.resolve(__dirname, "..");
const PARENT = "dify:index:PluginRegistry::dify";
const EXISTING_TOKEN = "Sentinel-tcr-existing-token-4e2a";
const DESCRIPTION = "dify-plugin-registry test/dify: push plugin images";

const CONNECTOR_391 = DOCKER_CONNECTOR;

const byName = (resources: readonly RecordedResource[], name: string) => resources.find((r) => r.name === name)!;

/** Inputs of a dynamic resource without the serialized provider, which is checked on its own. */
function dynamicInputs(r: RecordedResource): Record<string, unknown> {
    const { __provider, ...rest } = r.inputs;
    assert.equal(typeof __provider, "string", "the serialized provider is a plain (not secret) input");
    assert.match(__provider as string, /^exports\.handler = /);
    return rest;
}

const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

describe("TCR registry (type: tcr)", function () {
    this.timeout(60_000);
    const tcr = useFakeTcr();
    const managed = tcr.managed;

    describe("managed: the namespace and a long-term token created through the TCR API", () => {
        it("registers the namespace and token dynamic resources as children of the component, beside the Secret and the chart", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", managed()));
            assert.deepEqual(
                resources.map((r) => [r.type, r.name, r.parent]).sort(),
                [
                    ["dify:index:PluginRegistry", "dify", undefined],
                    ["kubernetes:core/v1:Namespace", "dify-namespace", PARENT],
                    ["kubernetes:core/v1:Secret", "dify-image-repo-secret", PARENT],
                    ["kubernetes:helm.sh/v4:Chart", "dify-dify", PARENT],
                    [DYNAMIC_TYPE, "dify-push-check", PARENT],
                    [DYNAMIC_TYPE, "dify-tcr-namespace", PARENT],
                    [DYNAMIC_TYPE, "dify-tcr-token", PARENT],
                ].sort(),
            );
            const connection = {
                instanceId: INSTANCE,
                region: REGION,
                apiEndpoint: tcr.endpoint,
                secretId: secret(SECRET_ID),
                secretKey: secret(SECRET_KEY),
            };
            assert.deepEqual(dynamicInputs(byName(resources, "dify-tcr-namespace")), { ...connection, namespace: "dify-plugins" });
            assert.deepEqual(dynamicInputs(byName(resources, "dify-tcr-token")), { ...connection, description: DESCRIPTION });
        });

        it("creates them in TCR: a private namespace and a longterm token, every request signed", async () => {
            await evaluate(() => new DifyPluginRegistry("dify", managed()));
            assert.deepEqual(
                tcr.api.actions().sort(),
                [
                    ["DescribeInstances", { Registryids: [INSTANCE] }],
                    ["DescribeNamespaces", { RegistryId: INSTANCE, NamespaceName: "dify-plugins", Limit: 100 }],
                    ["CreateNamespace", { RegistryId: INSTANCE, NamespaceName: "dify-plugins", IsPublic: false }],
                    ["CreateInstanceToken", { RegistryId: INSTANCE, TokenType: "longterm", Desc: DESCRIPTION }],
                ].sort(),
            );
            assert.ok(tcr.api.calls.every((c) => c.signatureValid && c.secretId === SECRET_ID && c.region === REGION));
            assert.deepEqual([...tcr.api.namespaces.get(INSTANCE)!], ["dify-plugins"]);
            assert.equal(tcr.api.tokens.get(INSTANCE)!.size, 1);
        });

        it("writes the token as the docker login of the instance's public domain", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", managed()));
            const [token] = tcr.api.tokens.get(INSTANCE)!.values();
            assert.deepEqual(dockerConfigOf(resources), {
                auths: { "acme.tencentcloudcr.com": { auth: Buffer.from(`100012345678:${token.token}`).toString("base64") } },
            });
        });

        it("deploys the chart with the TCR prefix", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", managed()));
            assert.deepEqual(connectorOf(resources), { ...CONNECTOR_391, imageRepoPrefix: "acme.tencentcloudcr.com/dify-plugins" });
        });

        it("exposes registryOutputs without secrets", async () => {
            let component!: DifyPluginRegistry;
            await evaluate(() => (component = new DifyPluginRegistry("dify", managed())));
            const [token] = tcr.api.tokens.get(INSTANCE)!.values();
            assert.deepEqual(await resolved(component.registryOutputs), {
                instanceId: INSTANCE,
                region: REGION,
                namespace: "dify-plugins",
                server: "acme.tencentcloudcr.com",
                username: "100012345678",
                tokenId: token.id,
            });
            assert.equal(await pulumi.isSecret(component.registryOutputs), false);
            assert.equal(await resolved(component.imageRepoPrefix), "acme.tencentcloudcr.com/dify-plugins");
        });

        it("the token resource's token output is secret (additionalSecretOutputs), its user name is not", async () => {
            let resource!: TcrInstanceToken;
            await evaluate(
                () =>
                    (resource = new TcrInstanceToken("token", {
                        instanceId: INSTANCE,
                        region: REGION,
                        apiEndpoint: tcr.endpoint,
                        secretId: SECRET_ID,
                        secretKey: SECRET_KEY,
                        description: "d",
                    })),
            );
            const [token] = tcr.api.tokens.get(INSTANCE)!.values();
            assert.equal(tcr.dynamic.created.find((c) => c.name === "token")!.outs.token, token.token);
            assert.equal(await pulumi.isSecret(resource.token), true);
            assert.equal(await resolved(resource.token), token.token);
            assert.equal(await pulumi.isSecret(resource.username), false);
            assert.equal(await resolved(resource.username), "100012345678");
        });

        it("uses TENCENTCLOUD_SECRET_ID/KEY when no credentials are given, and keeps them out of the state", async () => {
            tcr.api.credentials.set("AKIDfromenv", "env-secret-key");
            const resources = await withTencentCloudEnv(
                { TENCENTCLOUD_SECRET_ID: "AKIDfromenv", TENCENTCLOUD_SECRET_KEY: "env-secret-key" },
                () => evaluate(() => new DifyPluginRegistry("dify", managed({ secretId: undefined, secretKey: undefined }))),
            );
            const connection = { instanceId: INSTANCE, region: REGION, apiEndpoint: tcr.endpoint };
            assert.deepEqual(dynamicInputs(byName(resources, "dify-tcr-namespace")), { ...connection, namespace: "dify-plugins" });
            assert.deepEqual(dynamicInputs(byName(resources, "dify-tcr-token")), { ...connection, description: DESCRIPTION });
            assert.equal(tcr.api.calls.length, 4);
            assert.ok(tcr.api.calls.every((c) => c.signatureValid && c.secretId === "AKIDfromenv"));
            assert.ok(!JSON.stringify(resources).includes("env-secret-key"));
        });

        it("takes a registry host override (custom domain) for the prefix and the auth key", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", managed({ server: "registry.acme.cn" })));
            assert.equal(connectorOf(resources).imageRepoPrefix, "registry.acme.cn/dify-plugins");
            assert.deepEqual(Object.keys((dockerConfigOf(resources) as { auths: object }).auths), ["registry.acme.cn"]);
        });

        it("names the token rotation in the token's description (a new value replaces the token)", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", managed({ tokenRotation: "2026-07" })));
            assert.equal(dynamicInputs(byName(resources, "dify-tcr-token")).description, `${DESCRIPTION} (rotation 2026-07)`);
            assert.deepEqual(tcr.api.actions().find(([a]) => a === "CreateInstanceToken")![1].Desc, `${DESCRIPTION} (rotation 2026-07)`);
        });

        it("in a preview, calls no API; the host is unknown until created, unless `server` is given", async () => {
            tcr.dynamic.stop(); // pulumi preview does not create
            useMocks({ preview: true });
            try {
                const resources = await evaluate(() => new DifyPluginRegistry("dify", managed()));
                assert.deepEqual(tcr.api.calls, []);
                // The namespace, the token, and the push check (which checks only during an update).
                assert.equal(resources.filter((r) => r.type === DYNAMIC_TYPE).length, 3);
                const chart = resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
                assert.equal(
                    (chart.inputs.values as { plugin_connector?: unknown }).plugin_connector,
                    undefined,
                    "values are unknown in the preview",
                );
                const withServer = await evaluate(() => new DifyPluginRegistry("dify", managed({ server: "acme.tencentcloudcr.com" })));
                assert.deepEqual(tcr.api.calls, []);
                assert.deepEqual(connectorOf(withServer), { ...CONNECTOR_391, imageRepoPrefix: "acme.tencentcloudcr.com/dify-plugins" });
            } finally {
                useMocks();
            }
        });
    });

    describe("existing login: username + token + server", () => {
        const existing: DifyPluginRegistryArgs = {
            namespace: "dify-ee",
            registry: {
                type: "tcr",
                instanceId: INSTANCE,
                namespace: "dify-plugins",
                server: "acme.tencentcloudcr.com",
                username: "100012345678",
                token: pulumi.secret(EXISTING_TOKEN),
            },
            chart: { version: "3.9.1" },
        };

        it("creates nothing in TCR: no TCR resource, no API call; only the Secret, the push check and the chart", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", existing));
            assert.deepEqual(
                resources.map((r) => [r.type, r.name]),
                [
                    ["dify:index:PluginRegistry", "dify"],
                    ["kubernetes:core/v1:Namespace", "dify-namespace"],
                    ["kubernetes:core/v1:Secret", "dify-image-repo-secret"],
                    [DYNAMIC_TYPE, "dify-push-check"],
                    ["kubernetes:helm.sh/v4:Chart", "dify-dify"],
                ],
            );
            assert.deepEqual(tcr.api.calls, []);
            assert.deepEqual(dockerConfigOf(resources), {
                auths: { "acme.tencentcloudcr.com": { auth: Buffer.from(`100012345678:${EXISTING_TOKEN}`).toString("base64") } },
            });
            assert.deepEqual(connectorOf(resources), { ...CONNECTOR_391, imageRepoPrefix: "acme.tencentcloudcr.com/dify-plugins" });
        });

        it("exposes the login's coordinates, not the token", async () => {
            let component!: DifyPluginRegistry;
            await evaluate(() => (component = new DifyPluginRegistry("dify", existing)));
            assert.deepEqual(await resolved(component.registryOutputs), {
                instanceId: INSTANCE,
                namespace: "dify-plugins",
                server: "acme.tencentcloudcr.com",
                username: "100012345678",
            });
        });
    });

    describe("secrets stay secret", () => {
        it("no token, SecretKey or SecretId in plain text in any registered input or output", async () => {
            let component!: DifyPluginRegistry;
            const resources = await evaluate(() => (component = new DifyPluginRegistry("dify", managed())));
            const [token] = tcr.api.tokens.get(INSTANCE)!.values();
            const leaks = [SECRET_KEY, SECRET_ID, token.token, Buffer.from(`100012345678:${token.token}`).toString("base64")];
            const plain = JSON.stringify(redactSecrets(resources.map((r) => r.inputs)));
            const outputs = JSON.stringify(
                await Promise.all(
                    [component.registryOutputs, component.pluginConnectorValues, component.imageRepoPrefix].map((o) =>
                        resolved(o as pulumi.Output<unknown>),
                    ),
                ),
            );
            for (const leak of leaks) {
                assert.ok(!plain.includes(leak), `a registered input holds ${leak} in plain text`);
                assert.ok(!outputs.includes(leak), `an output holds ${leak}`);
            }
            // ...and they did reach the resources, secret-wrapped.
            assert.ok(JSON.stringify(resources).includes(SECRET_KEY));
        });

        it("an existing token is only inside the Secret's secret data", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        registry: {
                            type: "tcr",
                            instanceId: INSTANCE,
                            namespace: "dify-plugins",
                            server: "acme.tencentcloudcr.com",
                            username: "u",
                            token: EXISTING_TOKEN,
                        },
                        chart: { version: "3.9.1" },
                    }),
            );
            assert.ok(
                !JSON.stringify(redactSecrets(resources.map((r) => r.inputs))).includes(
                    Buffer.from(`u:${EXISTING_TOKEN}`).toString("base64"),
                ),
            );
            assert.ok(!JSON.stringify(redactSecrets(resources.map((r) => r.inputs))).includes(EXISTING_TOKEN));
        });
    });

    describe("stacks/Pulumi.tcr.yaml", () => {
        afterEach(() => {
            pulumi.runtime.setAllConfig({});
            useMocks();
        });

        it("validates and evaluates offline like `npm run synth` (a preview: no API call, credentials secret)", async () => {
            tcr.dynamic.stop();
            const file = readStackFile(stackFilePath(ROOT, "tcr"));
            assert.deepEqual(file.placeholders, [`${PROJECT}:registry.secretId`, `${PROJECT}:registry.secretKey`]);
            const result = await withTencentCloudEnv({}, () => synthStack("tcr", file));
            assert.deepEqual(result.resources.map((r) => [r.type, r.name]).sort(), [
                ["dify:index:PluginRegistry", "dify-plugin-registry"],
                ["kubernetes:core/v1:Namespace", "dify-plugin-registry-namespace"],
                ["kubernetes:core/v1:Secret", "dify-plugin-registry-image-repo-secret"],
                ["kubernetes:helm.sh/v4:Chart", "dify-plugin-registry-dify"],
                [DYNAMIC_TYPE, "dify-plugin-registry-push-check"],
                [DYNAMIC_TYPE, "dify-plugin-registry-tcr-namespace"],
                [DYNAMIC_TYPE, "dify-plugin-registry-tcr-token"],
            ]);
            const ns = dynamicInputs(result.resources.find((r) => r.name === "dify-plugin-registry-tcr-namespace")!);
            assert.deepEqual(ns, {
                instanceId: "tcr-dg284imq",
                region: "ap-guangzhou",
                namespace: "dify-plugins",
                secretId: secret("[secure]"),
                secretKey: secret("[secure]"),
            });
            assert.deepEqual(tcr.api.calls, []);
        });

        it("deployed (the provider run against the loopback API), gives the chart its TCR plugin_connector", async () => {
            const file = readStackFile(stackFilePath(ROOT, "tcr"));
            tcr.api.addInstance("tcr-dg284imq", "acme-prod", "ap-guangzhou");
            const registry = {
                ...JSON.parse(file.config[`${PROJECT}:registry`]),
                secretId: SECRET_ID,
                secretKey: SECRET_KEY,
                apiEndpoint: tcr.endpoint,
            };
            useMocks();
            resetRecorded();
            pulumi.runtime.setAllConfig({ ...file.config, [`${PROJECT}:registry`]: JSON.stringify(registry) }, file.secretKeys);
            const outputs = runStack();
            await settle();
            assert.deepEqual(connectorOf(registered()), { ...CONNECTOR_391, imageRepoPrefix: "acme-prod.tencentcloudcr.com/dify-plugins" });
            assert.equal(await resolved(outputs.imageRepoPrefix), "acme-prod.tencentcloudcr.com/dify-plugins");
            assert.deepEqual([...tcr.api.namespaces.get("tcr-dg284imq")!], ["dify-plugins"]);
            // With the login known (after the update), the mandatory policies pass on everything registered.
            for (const r of registered()) {
                for (const policy of mandatoryPolicies) {
                    const reports: string[] = [];
                    const args = {
                        type: r.type,
                        name: r.name,
                        props: unwrapSecrets(r.inputs),
                        urn: `urn:pulumi:tcr::${PROJECT}::${r.type}::${r.name}`,
                        opts: { protect: false },
                        stackTags: new Map(),
                    };
                    for (const validate of [policy.validateResource!].flat()) {
                        await validate(args as unknown as ResourceValidationArgs, (m) => reports.push(m));
                    }
                    assert.deepEqual(reports, [], `${policy.name} on ${r.type} ${r.name}`);
                }
            }
        });
    });
});
