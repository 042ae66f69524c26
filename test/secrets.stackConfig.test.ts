/**
 * Issue 17, item 1: a stack config key marked secret stays secret as a whole wherever it reaches a resource input.
 * `pulumi config set --secret --path chart.values.x.password` makes the engine list the top-level key `chart` as secret
 * (a config value is secure when any leaf inside it is): setAllConfig's secret keys are those top-level keys. Every
 * registered resource's inputs (the Kubernetes provider's included) are walked: a secret value may appear only inside
 * a secret wrapper.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, readStackConfig, secretConfigKeys, toComponentArgs } from "../program/config";
import { runStack, StackOutputs } from "../program/main";
import { ACCOUNT, answerAws } from "./support/awsAnswers";
import { AWS } from "./support/ecr";
import { evaluate, thrownBy } from "./support/evaluate";
import {
    isSecretValue,
    RecordedResource,
    redactSecrets,
    registered,
    resetRecorded,
    settle,
    unwrapSecrets,
    useMocks,
} from "./support/mocks";

// Distinctive, so a match anywhere is a leak and not a coincidence.
const POSTGRES_PASSWORD = "Sentinel-pg-51c0e2";
const PIP_TOKEN = "Sentinel-pip-9d44aa";
const KUBECONFIG = "apiVersion: v1\nkind: Config\nusers: [{name: u, user: {token: Sentinel-kube-3be1f0}}]";
const REGISTRY_PASSWORD = "Sentinel-pw-7c2b19";
const BUCKET = "sentinel-bucket-6a1f03";

const key = (k: string) => `${PROJECT}:${k}`;

/** The forms a value could leak in: as it is, and base64 (docker configs, Secret data). */
function leakForms(value: string): string[] {
    return [value, Buffer.from(value).toString("base64").replace(/=+$/, "")];
}

/** Fails when any of `values` appears in a resource's inputs outside a secret wrapper. */
function assertOnlyInsideSecrets(resources: readonly RecordedResource[], values: readonly string[]): void {
    for (const r of resources) {
        const { __provider: _serialized, ...inputs } = r.inputs;
        const text = JSON.stringify(redactSecrets(inputs));
        for (const value of values) {
            for (const form of leakForms(value)) {
                assert.ok(!text.includes(form), `inputs of ${r.type} ${r.name} hold ${JSON.stringify(value)} outside a secret`);
            }
        }
    }
}

/** Runs the stack program with `config` (JSON values) and `secretKeys` (top-level keys) as the engine would give them. */
async function runWithConfig(
    config: Record<string, unknown>,
    secretKeys: readonly string[],
): Promise<{ resources: readonly RecordedResource[]; outputs: StackOutputs }> {
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(config).map(([k, v]) => [key(k), typeof v === "string" ? v : JSON.stringify(v)])),
        secretKeys.map(key),
    );
    let outputs!: StackOutputs;
    const resources = await evaluate(() => (outputs = runStack()));
    return { resources, outputs };
}

const dockerRegistry = { type: "docker", server: "harbor.example.com", prefix: "dify", username: "robot", password: REGISTRY_PASSWORD };

describe("stack config secrets stay secret in every resource input", () => {
    before(() => answerAws());
    afterEach(() => {
        pulumi.runtime.setAllConfig({});
        useMocks();
    });

    it("reads which top-level keys are secret as the engine lists them", () => {
        pulumi.runtime.setAllConfig({ [key("chart")]: "{}", [key("namespace")]: "dify" }, [key("chart")]);
        assert.deepEqual([...secretConfigKeys(["chart", "namespace"])], ["chart"]);
    });

    it("chart.values (kind release), pluginConnector, kubernetes and registry secrets: none in plain text anywhere", async () => {
        const { resources, outputs } = await runWithConfig(
            {
                registry: dockerRegistry,
                chart: {
                    version: "3.9.1",
                    kind: "release",
                    values: { externalPostgres: { enabled: true, credentials: { dify: { password: POSTGRES_PASSWORD } } } },
                },
                pluginConnector: { python: { pipMirror: `https://ci:${PIP_TOKEN}@pypi.example.com/simple` } },
                kubernetes: { kubeconfig: KUBECONFIG, context: "prod" },
            },
            ["registry", "chart", "pluginConnector", "kubernetes"],
        );
        const types = resources.map((r) => r.type);
        assert.ok(types.includes("pulumi:providers:kubernetes") && types.includes("kubernetes:helm.sh/v3:Release"), types.join(", "));
        assertOnlyInsideSecrets(resources, [POSTGRES_PASSWORD, PIP_TOKEN, KUBECONFIG, "Sentinel-kube-3be1f0", REGISTRY_PASSWORD]);

        // The secrets did reach their resources (so the walk above looked at the right places), wrapped.
        const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
        assert.ok(isSecretValue(release.inputs.values), "the release's values are one secret");
        const values = unwrapSecrets(release.inputs.values) as Record<string, any>;
        assert.equal(values.externalPostgres.credentials.dify.password, POSTGRES_PASSWORD);
        assert.match(values.plugin_connector.generatorConf, new RegExp(PIP_TOKEN));
        const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.ok(isSecretValue(provider.inputs.kubeconfig), "the kubeconfig is secret");
        assert.ok(isSecretValue(provider.inputs.context), "every setting of a secret kubernetes key is secret");
        assert.equal(await pulumi.isSecret(outputs.pluginConnectorValues), true, "pluginConnectorValues holds the pip mirror: secret");
        assert.equal(await pulumi.isSecret(outputs.imageRepoPrefix), false, "the registry's identifiers stay plain");
    });

    it("a kubeconfig is secret even when the stack config does not mark it", async () => {
        const { resources } = await runWithConfig(
            { registry: dockerRegistry, chart: { version: "3.9.1" }, kubernetes: { kubeconfig: KUBECONFIG } },
            ["registry"],
        );
        assertOnlyInsideSecrets(resources, [KUBECONFIG, "Sentinel-kube-3be1f0", REGISTRY_PASSWORD]);
    });

    it("ECR IRSA with a secret chart: the S3 bucket read from chart.values stays secret in the build role's policy", async () => {
        const { resources } = await runWithConfig(
            {
                registry: {
                    type: "ecr",
                    region: AWS.region,
                    prefix: "dify",
                    accountId: ACCOUNT,
                    auth: { oidcProviderArn: AWS.oidcProviderArn },
                },
                chart: { version: "3.9.1", values: { persistence: { type: "s3", s3: { endpoint: "", bucketName: BUCKET } } } },
            },
            ["chart"],
        );
        assertOnlyInsideSecrets(resources, [BUCKET]);
        const policies = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
        assert.ok(
            policies.some((p) => isSecretValue(p.inputs.policy) && JSON.stringify(unwrapSecrets(p.inputs.policy)).includes(BUCKET)),
            "the build policy grants the bucket, as a secret",
        );
    });

    it("a secret the program cannot keep is refused by key before anything is registered", async () => {
        const cases: [Record<string, unknown>, string[], RegExp][] = [
            [
                { registry: { ...dockerRegistry, password: undefined, prefix: "dify" }, chart: { version: "3.9.1" } },
                ["registry"],
                /dify-plugin-registry:registry: is marked secret in the stack config, but it holds no credential \(registry\.password\)/,
            ],
            [
                { registry: dockerRegistry, chart: { version: "3.9.1", releaseName: "dify" } },
                ["registry", "chart"],
                /dify-plugin-registry:chart: is marked secret in the stack config, but only chart\.values \(as a whole, with chart\.valuesFile's values\), chart\.password and chart\.auth can be kept secret/,
            ],
            [
                { registry: dockerRegistry, chart: { version: "3.9.1" }, namespace: "dify" },
                ["registry", "namespace"],
                /dify-plugin-registry:namespace: is marked secret in the stack config, but it names the namespace/,
            ],
            [
                { registry: dockerRegistry, chart: { version: "3.9.1" }, pushCheck: { caFile: "ca.pem" } },
                ["registry", "pushCheck"],
                /dify-plugin-registry:pushCheck: is marked secret in the stack config, but only pushCheck\.auth can be kept secret/,
            ],
        ];
        for (const [config, secret, message] of cases) {
            pulumi.runtime.setAllConfig(
                Object.fromEntries(Object.entries(config).map(([k, v]) => [key(k), typeof v === "string" ? v : JSON.stringify(v)])),
                secret.map(key),
            );
            resetRecorded();
            const error = thrownBy(() => runStack());
            await settle();
            assert.ok(pulumi.InputPropertiesError.isInstance(error), String(error));
            assert.match(error.message, message);
            assert.deepEqual(registered(), [], "nothing may be registered");
        }
    });

    it("toComponentArgs marks the chart's values secret for a secret chart or pluginConnector, not otherwise", () => {
        pulumi.runtime.setAllConfig({
            [key("registry")]: JSON.stringify(dockerRegistry),
            [key("chart")]: JSON.stringify({ version: "3.9.1", values: { a: 1 } }),
        });
        const config = readStackConfig();
        assert.equal(toComponentArgs(config).chart.secretValues, undefined);
        assert.equal(toComponentArgs(config, new Set(["chart"])).chart.secretValues, true);
        assert.equal(toComponentArgs(config, new Set(["pluginConnector"])).chart.secretValues, true);
    });
});
