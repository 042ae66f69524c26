import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { basicAuth } from "./support/rejected";
import { AliyunRegistryArgs, DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { aliyunEndpoint } from "../components/registries/aliyun/endpoints";
import { formatSynth, synthStack } from "../program/offline/synth";
import { readStackFile, SECURE_PLACEHOLDER, stackFilePath } from "../program/offline/stackFile";
import { answerAlibaba, NEW_INSTANCE_ID, stopAnsweringClouds } from "./support/cloudAnswers";
import { b64decode, evaluate } from "./support/evaluate";
import { isSecretValue, RecordedResource, redactSecrets, resolved, useMocks } from "./support/mocks";
import { connectorOf, DOCKER_CONNECTOR, byTypeAndName as kinds, dockerConfigOf, one } from "./support/recorded";

const ROOT = path.resolve(__dirname, "..");
const PARENT = "dify:index:PluginRegistry::dify";
const PASSWORD = "Sentinel-aliyun-7c1e!";
const USER = "dify-ci@1234567890123456.onaliyun.com";

const enterprise: AliyunRegistryArgs = {
    type: "aliyun",
    edition: "enterprise",
    region: "cn-hangzhou",
    instanceName: "acme-prod",
    instanceId: "cri-acmeprod0example",
    namespace: "dify-plugins",
    username: USER,
    password: pulumi.secret(PASSWORD),
};
const personal: AliyunRegistryArgs = {
    type: "aliyun",
    edition: "personal",
    region: "cn-shanghai",
    namespace: "acme_dify",
    username: "acme@example.com",
    password: pulumi.secret(PASSWORD),
};
const withRegistry = (registry: AliyunRegistryArgs): DifyPluginRegistryArgs => ({ registry, chart: { version: "3.7.4" } });

const HELPERS_374 = DOCKER_CONNECTOR;

describe("Aliyun ACR registry (type: aliyun)", () => {
    before(() => answerAlibaba());
    after(() => stopAnsweringClouds());

    describe("endpoints (as Alibaba Cloud documents them)", () => {
        it("Enterprise Edition: <instance>-registry[-vpc].<region>.cr.aliyuncs.com; Personal Edition: registry.<region>.aliyuncs.com", () => {
            assert.equal(aliyunEndpoint("enterprise", "cn-hangzhou", "public", "acme"), "acme-registry.cn-hangzhou.cr.aliyuncs.com");
            assert.equal(aliyunEndpoint("enterprise", "ap-southeast-1", "vpc", "acme"), "acme-registry-vpc.ap-southeast-1.cr.aliyuncs.com");
            assert.equal(aliyunEndpoint("personal", "cn-beijing", "public"), "registry.cn-beijing.aliyuncs.com");
        });
    });

    describe("Enterprise Edition, an existing instance, public endpoint", () => {
        let resources: readonly RecordedResource[];
        let component: DifyPluginRegistry;
        before(async () => {
            resources = await evaluate(() => (component = new DifyPluginRegistry("dify", withRegistry(enterprise))));
        });

        it("registers only the namespace besides the Kubernetes objects, as a child of the component", () => {
            assert.deepEqual(kinds(resources), [
                ["alicloud:cs/registryEnterpriseNamespace:RegistryEnterpriseNamespace", "dify-cr-namespace", PARENT],
                ["dify:index:PluginRegistry", "dify", undefined],
                ["kubernetes:core/v1:Namespace", "dify-namespace", PARENT],
                ["kubernetes:core/v1:Secret", "dify-image-repo-secret", PARENT],
                ["kubernetes:helm.sh/v4:Chart", "dify-dify", PARENT],
                ["pulumi-nodejs:dynamic:Resource", "dify-push-check", PARENT],
            ]);
        });

        it("creates the namespace in the instance, auto-creating private repositories", () => {
            assert.deepEqual(one(resources, "alicloud:cs/registryEnterpriseNamespace:RegistryEnterpriseNamespace").inputs, {
                instanceId: "cri-acmeprod0example",
                name: "dify-plugins",
                autoCreate: true,
                defaultVisibility: "PRIVATE",
            });
        });

        it("logs in to the instance's public endpoint as the RAM user", () => {
            assert.deepEqual(dockerConfigOf(resources), {
                auths: { "acme-prod-registry.cn-hangzhou.cr.aliyuncs.com": { auth: basicAuth(USER, PASSWORD) } },
            });
        });

        it("gives the chart <endpoint>/<namespace> as a docker-type registry", () => {
            assert.deepEqual(connectorOf(resources), {
                ...HELPERS_374,
                imageRepoPrefix: "acme-prod-registry.cn-hangzhou.cr.aliyuncs.com/dify-plugins",
            });
        });

        it("deploys the chart only after the namespace exists", () => {
            const order = resources.map((r) => r.type);
            assert.ok(
                order.indexOf("kubernetes:helm.sh/v4:Chart") >
                    order.indexOf("alicloud:cs/registryEnterpriseNamespace:RegistryEnterpriseNamespace"),
            );
        });

        it("exposes endpoint, namespace and instance id, not secret and without the password", async () => {
            assert.deepEqual(await resolved(component.registryOutputs), {
                endpoint: "acme-prod-registry.cn-hangzhou.cr.aliyuncs.com",
                namespace: "dify-plugins",
                instanceId: "cri-acmeprod0example",
            });
            assert.equal(await pulumi.isSecret(component.registryOutputs), false);
        });
    });

    describe("Enterprise Edition over the VPC endpoint", () => {
        it("pushes and logs in through <instance>-registry-vpc.<region>.cr.aliyuncs.com", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", withRegistry({ ...enterprise, network: "vpc" })));
            const host = "acme-prod-registry-vpc.cn-hangzhou.cr.aliyuncs.com";
            assert.deepEqual(dockerConfigOf(resources), { auths: { [host]: { auth: basicAuth(USER, PASSWORD) } } });
            assert.deepEqual(connectorOf(resources), { ...HELPERS_374, imageRepoPrefix: `${host}/dify-plugins` });
        });
    });

    describe("Enterprise Edition, a new instance", () => {
        const args = withRegistry({
            ...enterprise,
            instanceId: undefined,
            newInstance: { instanceType: "Standard", period: 12, renewalStatus: "AutoRenewal", renewPeriod: 12 },
        });
        let resources: readonly RecordedResource[];
        let component: DifyPluginRegistry;
        before(async () => {
            resources = await evaluate(() => (component = new DifyPluginRegistry("dify", args)));
        });

        it("creates the instance with the login password from the secret argument, secret-wrapped", () => {
            const { password, ...rest } = one(resources, "alicloud:cr/registryEnterpriseInstance:RegistryEnterpriseInstance").inputs;
            assert.deepEqual(rest, {
                instanceName: "acme-prod",
                instanceType: "Standard",
                paymentType: "Subscription",
                period: 12,
                renewalStatus: "AutoRenewal",
                renewPeriod: 12,
            });
            assert.ok(isSecretValue(password), "the instance password is a secret input");
            assert.equal(password.value, PASSWORD);
        });

        it("creates the namespace in the new instance and exposes its id", async () => {
            assert.deepEqual(one(resources, "alicloud:cs/registryEnterpriseNamespace:RegistryEnterpriseNamespace").inputs, {
                instanceId: NEW_INSTANCE_ID,
                name: "dify-plugins",
                autoCreate: true,
                defaultVisibility: "PRIVATE",
            });
            assert.equal((await resolved(component.registryOutputs)).instanceId, NEW_INSTANCE_ID);
        });

        it("defaults to a Basic instance, one month, renewed by hand", async () => {
            const res = await evaluate(
                () => new DifyPluginRegistry("dify", withRegistry({ ...enterprise, instanceId: undefined, newInstance: {} })),
            );
            const { password: _p, ...rest } = one(res, "alicloud:cr/registryEnterpriseInstance:RegistryEnterpriseInstance").inputs;
            assert.deepEqual(rest, {
                instanceName: "acme-prod",
                instanceType: "Basic",
                paymentType: "Subscription",
                period: 1,
                renewalStatus: "ManualRenewal",
            });
        });
    });

    describe("Personal Edition", () => {
        let resources: readonly RecordedResource[];
        before(async () => {
            resources = await evaluate(() => new DifyPluginRegistry("dify", withRegistry(personal)));
        });

        it("creates a cr.Namespace that auto-creates private repositories, and no instance", () => {
            assert.deepEqual(one(resources, "alicloud:cr/namespace:Namespace").inputs, {
                name: "acme_dify",
                autoCreate: true,
                defaultVisibility: "PRIVATE",
            });
            assert.ok(!resources.some((r) => r.type.includes("registryEnterprise")));
        });

        it("logs in to registry.<region>.aliyuncs.com and pushes under the namespace", () => {
            assert.deepEqual(dockerConfigOf(resources), {
                auths: { "registry.cn-shanghai.aliyuncs.com": { auth: basicAuth("acme@example.com", PASSWORD) } },
            });
            assert.deepEqual(connectorOf(resources), {
                ...HELPERS_374,
                imageRepoPrefix: "registry.cn-shanghai.aliyuncs.com/acme_dify",
            });
        });

        it("uses an explicit endpoint (a Personal instance created since 2024-09-09)", async () => {
            const host = "crpi-abc123def456.cn-shanghai.personal.cr.aliyuncs.com";
            const res = await evaluate(() => new DifyPluginRegistry("dify", withRegistry({ ...personal, endpoint: host })));
            assert.deepEqual(Object.keys(dockerConfigOf(res).auths), [host]);
            assert.equal(connectorOf(res).imageRepoPrefix, `${host}/acme_dify`);
        });
    });

    describe("secrets", () => {
        it("the password is in no input outside secrets and in no output, in any mode", async () => {
            for (const registry of [
                enterprise,
                { ...enterprise, network: "vpc" as const },
                { ...enterprise, instanceId: undefined, newInstance: {} },
                personal,
            ]) {
                let component!: DifyPluginRegistry;
                const resources = await evaluate(() => (component = new DifyPluginRegistry("dify", withRegistry(registry))));
                for (const r of resources) {
                    const text = JSON.stringify(redactSecrets(r.inputs));
                    assert.ok(!text.includes(PASSWORD), `${r.type} ${r.name} holds the password in plain text`);
                    assert.ok(
                        !text.includes(basicAuth(registry.username as string, PASSWORD)),
                        `${r.type} ${r.name} holds the docker auth in plain text`,
                    );
                }
                for (const output of [component.registryOutputs, component.pluginConnectorValues, component.imageRepoPrefix]) {
                    assert.ok(!JSON.stringify(await resolved(output as pulumi.Output<unknown>)).includes(PASSWORD));
                }
            }
        });

        it("a password given in plain text is still written secret-wrapped", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry(
                        "dify",
                        withRegistry({ ...enterprise, instanceId: undefined, newInstance: {}, password: PASSWORD }),
                    ),
            );
            assert.ok(isSecretValue(one(resources, "alicloud:cr/registryEnterpriseInstance:RegistryEnterpriseInstance").inputs.password));
            assert.ok(isSecretValue(one(resources, "kubernetes:core/v1:Secret").inputs.data));
        });
    });

    describe("stacks/Pulumi.aliyun.yaml", () => {
        after(() => {
            pulumi.runtime.setAllConfig({});
            useMocks();
        });

        it("validates and evaluates: an existing Enterprise instance over its VPC endpoint, the password a secret", async () => {
            const file = readStackFile(stackFilePath(ROOT, "aliyun"));
            assert.deepEqual(file.placeholders, ["dify-plugin-registry:registry.password"]);
            const result = await synthStack("aliyun", file);
            assert.deepEqual(one(result.resources, "alicloud:cs/registryEnterpriseNamespace:RegistryEnterpriseNamespace").inputs, {
                instanceId: "cri-acmeprod0example",
                name: "dify-plugins",
                autoCreate: true,
                defaultVisibility: "PRIVATE",
            });
            assert.ok(result.resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release"));
            const connector = result.pluginConnector as Record<string, unknown>;
            assert.equal(connector.imageRepoPrefix, "acme-prod-registry-vpc.cn-hangzhou.cr.aliyuncs.com/dify-plugins");
            assert.equal(connector.imageRepoType, "docker");
            const secret = one(result.resources, "kubernetes:core/v1:Secret");
            assert.ok(isSecretValue(secret.inputs.data));
            const login = JSON.parse(b64decode((secret.inputs.data.value as Record<string, string>)["config.json"]));
            assert.deepEqual(login, {
                auths: {
                    "acme-prod-registry-vpc.cn-hangzhou.cr.aliyuncs.com": {
                        auth: basicAuth("dify-ci@1234567890123456.onaliyun.com", SECURE_PLACEHOLDER),
                    },
                },
            });
            const text = formatSynth("aliyun", file, result);
            assert.match(text, /secure values shown as placeholders \(not decrypted offline\): dify-plugin-registry:registry\.password/);
            assert.match(text, /data: "\[secret\]"/);
        });
    });
});
