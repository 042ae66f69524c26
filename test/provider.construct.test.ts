/**
 * `Construct` over gRPC, against a fake engine of the test's own, compared with what the TypeScript API registers for
 * the same arguments under the shared mocks: the same children with the same inputs, secrets still wrapped.
 */
import * as assert from "node:assert/strict";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { PACKAGE_RESOURCE_TOKENS } from "../components/resources/host";
import { PLUGIN_REGISTRY_TOKEN } from "../provider/schema";
import { ACCOUNT, answerAws, roleArn } from "./support/awsAnswers";
import { AWS } from "./support/ecr";
import { evaluate, thrownBy } from "./support/evaluate";
import { isSecretValue, redactSecrets, unwrapSecrets } from "./support/mocks";
import {
    FakeEngine,
    outputValue,
    PROJECT,
    ProviderProcess,
    type Registration,
    STACK,
    secretValue,
    UNKNOWN,
} from "./support/providerHarness";

type Child = { type: string; name: string; inputs: Record<string, unknown> };
/**
 * Under the provider, the push check, the image mirror and the TCR resources are the package's own custom resources
 * (`components/resources/host.ts`) with the inputs the TypeScript API gives its dynamic resources: a TypeScript child
 * `pulumi-nodejs:dynamic:Resource` is compared as the package's resource of its name, without `__provider` (its
 * provider's serialized closure, which the package's resources do not carry).
 */
const SERVED_BY_NAME: readonly [RegExp, string][] = [
    [/-push-check$/, PACKAGE_RESOURCE_TOKENS.pushCheck],
    [/-image-mirror$/, PACKAGE_RESOURCE_TOKENS.imageMirror],
    [/-tcr-namespace$/, PACKAGE_RESOURCE_TOKENS.tcrNamespace],
    [/-tcr-token$/, PACKAGE_RESOURCE_TOKENS.tcrToken],
];
const comparable = ({ type, name, inputs }: Child): Child => {
    if (type !== "pulumi-nodejs:dynamic:Resource") return { type, name, inputs };
    const { __provider, ...rest } = inputs;
    assert.ok(typeof __provider === "string" && __provider.length > 0, `${name}: a dynamic resource carries its provider`);
    const served = SERVED_BY_NAME.find(([suffix]) => suffix.test(name));
    assert.ok(served, `${name}: no package resource for this dynamic resource`);
    return { type: served[1], name, inputs: rest };
};
const key = (c: Child) => `${c.type}::${c.name}`;
const sorted = (children: Child[]) => [...children].sort((a, b) => key(a).localeCompare(key(b)));

/** What the TypeScript API registers for `args`, without the component itself. */
async function typescriptChildren(args: DifyPluginRegistryArgs): Promise<Child[]> {
    const resources = await evaluate(() => new DifyPluginRegistry("dify", args));
    return sorted(resources.filter((r) => r.type !== "dify:index:PluginRegistry").map(comparable));
}

const childrenOf = (registrations: readonly Registration[]): Child[] => sorted(registrations.map(comparable));

const grpcMessage = (err: unknown) => (err as { details: string }).details;
/** The structured details of a gRPC error (the property errors the engine prints with each property's value). */
const errorDetails = (err: unknown) => (err as { metadata: { get(key: string): unknown[] } }).metadata.get("grpc-status-details-bin");

describe("provider: Construct over gRPC", function () {
    this.timeout(120_000);
    let engine: FakeEngine;
    let provider: ProviderProcess;

    before(async () => {
        answerAws();
        engine = new FakeEngine({
            // What AWS answers, as test/support/awsAnswers.ts answers the mocks.
            "aws:iam/role:Role": (name) => ({ id: `${name}-1a2b3c`, state: { arn: roleArn(name), name: `${name}-1a2b3c` } }),
        });
        await engine.start();
        provider = await ProviderProcess.start(engine.address);
    });
    after(() => {
        provider?.stop();
        engine?.stop();
    });
    beforeEach(() => engine.reset());

    const construct = (inputs: Record<string, unknown>) => provider.construct(engine, PLUGIN_REGISTRY_TOKEN, "dify", inputs);

    describe("docker registry, password sent secret", () => {
        let state: Record<string, unknown>;
        let registrations: Registration[];
        before(async () => {
            engine.reset();
            state = await construct({
                namespace: "dify",
                docker: {
                    server: "harbor.example.com",
                    prefix: "dify/plugins",
                    username: "robot$dify",
                    password: secretValue("s3cret-robot"),
                },
                chart: { version: "3.9.1", values: { global: { consoleApiDomain: "dify.example.com" } } },
                pluginConnector: { nodeSelector: { "dify.example.com/pool": "plugins" } },
            });
            registrations = [...engine.registrations];
        });

        it("registers the component under the package's token, a child of the stack", () => {
            assert.equal(registrations[0].type, PLUGIN_REGISTRY_TOKEN);
            assert.equal(registrations[0].name, "dify");
            assert.match(String(state.urn), /::dify-plugin-registry:index:PluginRegistry::dify$/);
        });

        it("registers the same children with the same inputs as the TypeScript API (Namespace, Secret, chart)", async () => {
            const expected = await typescriptChildren({
                namespace: "dify",
                registry: {
                    type: "docker",
                    server: "harbor.example.com",
                    prefix: "dify/plugins",
                    username: "robot$dify",
                    password: "s3cret-robot",
                },
                chart: { version: "3.9.1", values: { global: { consoleApiDomain: "dify.example.com" } } },
                pluginConnector: { nodeSelector: { "dify.example.com/pool": "plugins" } },
            });
            assert.deepEqual(expected.map(key), [
                "dify-plugin-registry:index:RegistryPushCheck::dify-push-check",
                "kubernetes:core/v1:Namespace::dify-namespace",
                "kubernetes:core/v1:Secret::dify-image-repo-secret",
                "kubernetes:helm.sh/v4:Chart::dify-dify",
            ]);
            assert.deepEqual(childrenOf(registrations.slice(1)), expected);
            assert.ok(registrations.slice(1).every((r) => r.parent.endsWith("::dify-plugin-registry:index:PluginRegistry::dify")));
        });

        it("keeps the password secret: only inside the Secret's data, wrapped", () => {
            const secret = registrations.find((r) => r.type === "kubernetes:core/v1:Secret")!;
            assert.ok(isSecretValue(secret.inputs.data));
            const plainText = JSON.stringify(registrations.map((r) => ({ ...r.inputs, data: undefined })));
            assert.ok(!plainText.includes("s3cret-robot"));
            const config = JSON.parse(Buffer.from((unwrapSecrets(secret.inputs.data) as any)[".dockerconfigjson"], "base64").toString());
            assert.equal(Buffer.from(config.auths["harbor.example.com"].auth, "base64").toString(), "robot$dify:s3cret-robot");
        });

        it("returns the outputs of the TypeScript class, none secret", () => {
            assert.equal(state.namespace, "dify");
            assert.equal(state.secretName, "image-repo-secret");
            assert.equal(state.imageRepoPrefix, "harbor.example.com/dify/plugins");
            assert.equal(state.imageRepoType, "docker");
            assert.equal((state.pluginConnectorValues as any).imageRepoPrefix, "harbor.example.com/dify/plugins");
            assert.deepEqual(state.registryOutputs, {});
            assert.ok(Object.values(state).every((v) => !isSecretValue(v)));
        });
    });

    it("dockerhub with the token as an output value: the same children as TypeScript", async () => {
        await construct({
            dockerhub: { namespace: "acme", username: "acme-ci", token: outputValue("dckr_pat_x", true) },
            chart: { version: "3.7.4", kind: "release" },
        });
        const expected = await typescriptChildren({
            registry: { type: "dockerhub", namespace: "acme", username: "acme-ci", token: "dckr_pat_x" },
            chart: { version: "3.7.4", kind: "release" },
        });
        assert.deepEqual(childrenOf(engine.children()), expected);
    });

    it("ECR with IRSA: the same IAM roles, policies, ServiceAccounts, template, Secret and chart as TypeScript", async () => {
        const ecr = {
            region: "us-east-1",
            prefix: "dify-plugins",
            accountId: ACCOUNT,
            auth: { mode: "irsa", oidcProviderArn: AWS.oidcProviderArn },
        };
        const state = await construct({ ecr, chart: { version: "3.9.1" } });
        const expected = await typescriptChildren({
            registry: { type: "ecr", ...ecr } as DifyPluginRegistryArgs["registry"],
            chart: { version: "3.9.1" },
        });
        assert.deepEqual(expected.map(key), [
            "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate::dify-ecr-template",
            "aws:iam/role:Role::dify-ecr-build",
            "aws:iam/role:Role::dify-ecr-runner",
            "aws:iam/rolePolicy:RolePolicy::dify-ecr-build",
            "aws:iam/rolePolicy:RolePolicy::dify-ecr-runner",
            "kubernetes:core/v1:Namespace::dify-namespace",
            "kubernetes:core/v1:Secret::dify-image-repo-secret",
            "kubernetes:core/v1:ServiceAccount::dify-build-sa",
            "kubernetes:core/v1:ServiceAccount::dify-runner-sa",
            "kubernetes:helm.sh/v4:Chart::dify-dify",
        ]);
        assert.deepEqual(childrenOf(engine.children()), expected);
        assert.equal((state.registryOutputs as any).buildRoleArn, roleArn("dify-ecr-build"));
        assert.equal(state.imageRepoPrefix, `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/dify-plugins`);
    });

    it("in a preview, a password and a server not known yet: the same children, their values left unknown", async () => {
        const state = await provider.construct(
            engine,
            PLUGIN_REGISTRY_TOKEN,
            "dify",
            {
                docker: { server: UNKNOWN, prefix: "dify/plugins", username: "robot$dify", password: secretValue(UNKNOWN) },
                chart: { version: "3.9.1" },
            },
            { preview: true },
        );
        assert.deepEqual(engine.children().map(key).sort(), [
            "dify-plugin-registry:index:RegistryPushCheck::dify-push-check",
            "kubernetes:core/v1:Namespace::dify-namespace",
            "kubernetes:core/v1:Secret::dify-image-repo-secret",
            "kubernetes:helm.sh/v4:Chart::dify-dify",
        ]);
        const secret = engine.children().find((r) => r.type === "kubernetes:core/v1:Secret")!;
        assert.ok(!JSON.stringify(secret.inputs).includes("robot$dify:"), "no login is built from unknown values");
        assert.equal(state.imageRepoPrefix, undefined, "unknown in a preview");
        assert.equal(state.secretName, "image-repo-secret");
    });

    it("pushCheck: { enabled: false } is TypeScript's false, { caFile } its object; the check's auth stays secret", async () => {
        const docker = { server: "harbor.example.com", prefix: "dify/plugins", username: "robot$dify", password: secretValue("pw") };
        const tsDocker = {
            type: "docker" as const,
            server: "harbor.example.com",
            prefix: "dify/plugins",
            username: "robot$dify",
            password: "pw",
        };
        await construct({ docker, chart: { version: "3.9.1" }, pushCheck: { enabled: false } });
        assert.deepEqual(
            childrenOf(engine.children()),
            await typescriptChildren({ registry: tsDocker, chart: { version: "3.9.1" }, pushCheck: false }),
        );
        engine.reset();
        await construct({ docker, chart: { version: "3.9.1" }, pushCheck: { caFile: "/etc/ssl/harbor-ca.pem", auth: '{"auths":{}}' } });
        assert.deepEqual(
            childrenOf(engine.children()),
            await typescriptChildren({
                registry: tsDocker,
                chart: { version: "3.9.1" },
                pushCheck: { caFile: "/etc/ssl/harbor-ca.pem", auth: '{"auths":{}}' },
            }),
        );
        const check = engine.children().find((r) => r.name === "dify-push-check")!;
        const visible = JSON.stringify(redactSecrets(check.inputs));
        assert.ok(JSON.stringify(check.inputs).includes("auths"), "the check got the login");
        assert.ok(!visible.includes("auths"), "only as a secret");
    });

    describe("the dependencies the program's inputs and options came with reach the children (issue 19, item 3)", () => {
        const urn = (type: string, name: string) => `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`;
        const LOGIN = urn("kubernetes:core/v1:ConfigMap", "login");
        const SOURCE = urn("kubernetes:core/v1:ConfigMap", "namespace-source");
        const GATE = urn("kubernetes:core/v1:ConfigMap", "gate");
        const docker = (password: unknown) => ({ server: "h.example.com", prefix: "dify/plugins", username: "u", password });
        const base = { chart: { version: "3.9.1" }, pushCheck: { enabled: false } };
        const secretOf = () => engine.children().find((r) => r.type === "kubernetes:core/v1:Secret")!;

        it("a password sent as an output value with its dependencies: the Secret's data depends on them", async () => {
            await construct({ ...base, docker: docker(outputValue("pw", true, [LOGIN])) });
            assert.ok(secretOf().propertyDependencies.data?.includes(LOGIN), JSON.stringify(secretOf().propertyDependencies));
            assert.ok(secretOf().dependencies.includes(LOGIN));
        });

        it("a registry block the engine says depended on a resource (no output values): the Secret's data depends on it", async () => {
            await provider.construct(
                engine,
                PLUGIN_REGISTRY_TOKEN,
                "dify",
                { ...base, docker: docker(secretValue("pw")) },
                {
                    inputDependencies: { docker: [LOGIN] },
                },
            );
            assert.ok(secretOf().propertyDependencies.data?.includes(LOGIN), JSON.stringify(secretOf().propertyDependencies));
        });

        it("a plain input that depended on a resource (the namespace), and the component's dependsOn: every child depends on them", async () => {
            await provider.construct(
                engine,
                PLUGIN_REGISTRY_TOKEN,
                "dify",
                { ...base, namespace: "dify", docker: docker(secretValue("pw")) },
                { inputDependencies: { namespace: [SOURCE] }, dependsOn: [GATE] },
            );
            assert.deepEqual(childrenOf(engine.children()).map(key), [
                "kubernetes:core/v1:Namespace::dify-namespace",
                "kubernetes:core/v1:Secret::dify-image-repo-secret",
                "kubernetes:helm.sh/v4:Chart::dify-dify",
            ]);
            for (const child of engine.children()) {
                assert.ok(child.dependencies.includes(SOURCE) && child.dependencies.includes(GATE), `${child.name}: ${child.dependencies}`);
            }
        });
    });

    describe("bad input", () => {
        it("gets the same error text as the TypeScript API, and registers nothing", async () => {
            const expected = thrownBy(
                () =>
                    new DifyPluginRegistry("dify", {
                        registry: { type: "docker", server: "https://harbor.example.com", prefix: "Dify/", username: "u", password: "" },
                        chart: { version: "^3.9" },
                    }),
            ).message;
            assert.match(expected, /registry\.server/);
            const err = await construct({
                docker: { server: "https://harbor.example.com", prefix: "Dify/", username: "u", password: secretValue("") },
                chart: { version: "^3.9" },
            }).then(
                () => assert.fail("Construct succeeded"),
                (e) => e,
            );
            assert.equal(grpcMessage(err), expected);
            assert.equal(errorDetails(err).length, 1, "a property error the engine shows per property");
            assert.equal(engine.registrations.length, 0);
        });

        it("values the platform would refuse (issue 17): the TypeScript API's words, nothing registered", async () => {
            const ts = {
                registry: { type: "docker" as const, server: "harbor.example.com", prefix: "dify", username: "robot:dify", password: "pw" },
                chart: { version: "3.9.1", releaseName: "Dify_Prod" },
                pluginConnector: { python: { pipMirror: "pypi.example.com/simple" } },
            };
            const expected = thrownBy(() => new DifyPluginRegistry("dify", ts)).message;
            for (const path of ["registry.username", "chart.releaseName", "pluginConnector.python.pipMirror"]) {
                assert.ok(expected.includes(`  - ${path}: `), expected);
            }
            const err = await construct({
                docker: { server: "harbor.example.com", prefix: "dify", username: "robot:dify", password: secretValue("pw") },
                chart: ts.chart,
                pluginConnector: ts.pluginConnector,
            }).catch((e) => e);
            assert.equal(grpcMessage(err), expected);
            assert.equal(engine.registrations.length, 0);
        });

        it("no registry block: an error naming every block", async () => {
            const err = await construct({ chart: { version: "3.9.1" } }).catch((e) => e);
            assert.equal(
                grpcMessage(err),
                'DifyPluginRegistry "dify" has invalid arguments:\n  - registry: set exactly one registry block: `docker`, `dockerhub`, `ecr`, `acr`, `aliyun`, `tcr`; none is set',
            );
            assert.equal(engine.registrations.length, 0);
        });

        it("two registry blocks, or a registry property: errors naming them", async () => {
            const err = await construct({
                registry: { type: "docker" },
                docker: { server: "h", prefix: "p", username: "u", password: secretValue("p") },
                dockerhub: { namespace: "acme", username: "u", token: secretValue("t") },
                chart: { version: "3.9.1" },
            }).catch((e) => e);
            assert.match(grpcMessage(err), /- dockerhub: set exactly one registry block: .*; `docker` and `dockerhub` are set/);
            assert.match(grpcMessage(err), /- registry: there is no `registry` property here: set one registry block instead/);
            assert.equal(engine.registrations.length, 0);
        });

        it("a secret chart without values, or a secret chart.version, is refused rather than written in plain text", async () => {
            const docker = { server: "h.example.com", prefix: "p", username: "u", password: secretValue("p") };
            for (const [chart, path] of [
                [secretValue({ version: "3.9.1" }), "chart"],
                [{ version: outputValue("3.9.1", true) }, "chart.version"],
            ] as const) {
                const err = await construct({ docker, chart }).catch((e) => e);
                assert.match(
                    grpcMessage(err),
                    new RegExp(
                        `- ${path.replace(".", "\\.")}: is secret, but only chart\\.values \\(as a whole: chart\\.secretValues\\), chart\\.password and chart\\.auth can be kept secret`,
                    ),
                );
                // No property details: the engine would print the named property's value, secret or not.
                assert.deepEqual(errorDetails(err), [], path);
                assert.equal(engine.registrations.length, 0);
            }
        });
    });

    describe("the chart server's login (issue 21): chart.password and chart.auth secret however the program sent them", () => {
        const docker = { server: "h.example.com", prefix: "p", username: "u", password: secretValue("pw") };
        const chartLogin = { version: "3.9.1", chart: "oci://charts.example.com/dify", username: "reader" };
        for (const [label, chart] of [
            ["a plain chart.password (a YAML program without secret())", { ...chartLogin, password: "chart-Sentinel-pw" }],
            ["the whole block secret (the SDK lifts a nested secret to it)", secretValue({ ...chartLogin, password: "chart-Sentinel-pw" })],
            [
                "a plain chart.auth",
                {
                    version: "3.9.1",
                    chart: "oci://charts.example.com/dify",
                    auth: JSON.stringify({
                        auths: { "charts.example.com": { auth: Buffer.from("reader:chart-Sentinel-pw").toString("base64") } },
                    }),
                },
            ],
        ] as const) {
            it(`${label}: the chart's repositoryOpts hold it as a secret only`, async () => {
                await construct({ docker, chart, pushCheck: { enabled: false } });
                const chartChild = engine.children().find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
                assert.equal(chartChild.inputs.chart, "oci://charts.example.com/dify");
                assert.deepEqual(unwrapSecrets(chartChild.inputs.repositoryOpts), { username: "reader", password: "chart-Sentinel-pw" });
                assert.ok(JSON.stringify(engine.children()).includes("chart-Sentinel-pw"), "the password reached the chart");
                assert.ok(!JSON.stringify(redactSecrets(engine.children())).includes("chart-Sentinel-pw"));
            });
        }
    });

    describe("a secret chart block (as the stack program's secret chart): chart.values become one secret", () => {
        const docker = { server: "h.example.com", prefix: "p", username: "u", password: secretValue("pw") };
        const tsDocker = { type: "docker" as const, server: "h.example.com", prefix: "p", username: "u", password: "pw" };
        const values = { api: { secretKey: "chart-Sentinel-k" } };

        for (const [label, chart] of [
            ["the whole block secret (the SDK lifts a nested secret to it)", secretValue({ version: "3.9.1", values })],
            [
                "a secret output value inside chart.values",
                { version: "3.9.1", values: { api: { secretKey: outputValue("chart-Sentinel-k", true) } } },
            ],
        ] as const) {
            it(`${label}: the TypeScript API's children with chart.secretValues, the value in no plain input`, async () => {
                await construct({ docker, chart, pushCheck: { enabled: false } });
                const expected = await typescriptChildren({
                    registry: tsDocker,
                    chart: { version: "3.9.1", values, secretValues: true },
                    pushCheck: false,
                });
                assert.deepEqual(childrenOf(engine.children()), expected);
                const chartChild = engine.children().find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
                assert.ok(isSecretValue(chartChild.inputs.values));
                assert.ok(JSON.stringify(engine.children()).includes("chart-Sentinel-k"), "the value reached the chart");
                assert.ok(!JSON.stringify(redactSecrets(engine.children())).includes("chart-Sentinel-k"));
            });
        }
    });
});
