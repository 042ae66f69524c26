import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { b64decode, evaluate } from "./support/evaluate";
import { isSecretValue, resolved } from "./support/mocks";

const PARENT = "dify:index:PluginRegistry::dify";
const dockerArgs: DifyPluginRegistryArgs = {
    registry: {
        type: "docker",
        server: "harbor.example.com",
        prefix: "dify-plugins",
        username: "robot$dify",
        password: pulumi.secret("hunter2"),
    },
    chart: { version: "3.7.4" },
};

/** The chart values' plugin_connector block, and its generatorConf parsed (undefined when the chart keeps its own). */
function connectorOf(values: unknown): { connector: Record<string, unknown>; generator: any } {
    const connector = (values as { plugin_connector: Record<string, unknown> }).plugin_connector;
    return { connector, generator: connector.generatorConf === undefined ? undefined : YAML.parse(connector.generatorConf as string) };
}

describe("DifyPluginRegistry", () => {
    describe("docker registry, helm.v4.Chart (the defaults)", () => {
        it("registers the component, namespace, image-repo-secret, the push check and chart, in that order, as its children", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", dockerArgs));
            assert.deepEqual(
                resources.map((r) => [r.type, r.name, r.parent]),
                [
                    ["dify:index:PluginRegistry", "dify", undefined],
                    ["kubernetes:core/v1:Namespace", "dify-namespace", PARENT],
                    ["kubernetes:core/v1:Secret", "dify-image-repo-secret", PARENT],
                    ["pulumi-nodejs:dynamic:Resource", "dify-push-check", PARENT],
                    ["kubernetes:helm.sh/v4:Chart", "dify-dify", PARENT],
                ],
            );
            assert.deepEqual(resources[1].inputs, { apiVersion: "v1", kind: "Namespace", metadata: { name: "dify" } });
        });

        it("writes both keys of image-repo-secret, secret-wrapped, as the registry's docker login", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", dockerArgs));
            const secret = resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
            const { data, ...rest } = secret.inputs;
            assert.deepEqual(rest, {
                apiVersion: "v1",
                kind: "Secret",
                metadata: { name: "image-repo-secret", namespace: "dify" },
                type: "kubernetes.io/dockerconfigjson",
            });
            assert.ok(isSecretValue(data), "Secret data must be a secret");
            const keys = data.value as Record<string, string>;
            assert.deepEqual(Object.keys(keys).sort(), [".dockerconfigjson", "config.json"]);
            const expected = { auths: { "harbor.example.com": { auth: Buffer.from("robot$dify:hunter2").toString("base64") } } };
            assert.deepEqual(JSON.parse(b64decode(keys[".dockerconfigjson"])), expected);
            assert.deepEqual(JSON.parse(b64decode(keys["config.json"])), expected);
        });

        it("deploys the chart with the plugin_connector keys it owns, and no helper image or generatorConf", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", dockerArgs));
            const chart = resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
            const { values, ...rest } = chart.inputs;
            assert.deepEqual(rest, {
                chart: "dify",
                name: "dify",
                namespace: "dify",
                repositoryOpts: { repo: "https://langgenius.github.io/dify-helm" },
                skipAwait: false,
                version: "3.7.4",
            });
            const { connector, generator } = connectorOf(values);
            assert.deepEqual(connector, {
                imageRepoSecret: "image-repo-secret",
                imageRepoPrefix: "harbor.example.com/dify-plugins",
                imageRepoType: "docker",
                insecureImageRepo: false,
            });
            assert.equal(generator, undefined);
            assert.deepEqual(Object.keys(values as object), ["plugin_connector"]);
        });

        it("exposes the outputs, free of secrets", async () => {
            let component!: DifyPluginRegistry;
            await evaluate(() => (component = new DifyPluginRegistry("dify", dockerArgs)));
            assert.equal(await resolved(component.namespace), "dify");
            assert.equal(await resolved(component.secretName), "image-repo-secret");
            assert.equal(await resolved(component.imageRepoPrefix), "harbor.example.com/dify-plugins");
            assert.equal(await resolved(component.imageRepoType), "docker");
            const values = await resolved(component.pluginConnectorValues);
            assert.equal(values.imageRepoPrefix, "harbor.example.com/dify-plugins");
            for (const output of [component.namespace, component.imageRepoPrefix, component.pluginConnectorValues]) {
                assert.equal(await pulumi.isSecret(output as pulumi.Output<unknown>), false);
            }
        });

        it("marks a plain-HTTP registry insecure and keeps a port in the auth key", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        registry: {
                            type: "docker",
                            server: "10.1.2.3:5000",
                            prefix: "team/dify",
                            username: "u",
                            password: "p",
                            insecure: true,
                        },
                        chart: { version: "3.9.1" },
                    }),
            );
            const chart = resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
            const { connector } = connectorOf(chart.inputs.values);
            assert.equal(connector.insecureImageRepo, true);
            assert.equal(connector.imageRepoPrefix, "10.1.2.3:5000/team/dify");
            const secret = resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
            assert.ok(isSecretValue(secret.inputs.data), "a plain password is wrapped as a secret too");
            const config = JSON.parse(b64decode((secret.inputs.data.value as Record<string, string>)["config.json"]));
            assert.deepEqual(config, { auths: { "10.1.2.3:5000": { auth: Buffer.from("u:p").toString("base64") } } });
        });
    });

    describe("Docker Hub, helm.v3.Release", () => {
        const hubArgs: DifyPluginRegistryArgs = {
            namespace: "dify-dev",
            registry: { type: "dockerhub", namespace: "acme", username: "acme-ci", token: pulumi.secret("dckr_pat_abc") },
            chart: {
                version: "3.9.1",
                kind: "release",
                releaseName: "dify-ee",
                timeout: 900,
                repository: "https://charts.example.com/dify",
            },
        };

        it("registers a Helm release with the Docker Hub prefix, leaving images to the chart", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", hubArgs));
            assert.deepEqual(
                resources.map((r) => [r.type, r.name, r.parent]),
                [
                    ["dify:index:PluginRegistry", "dify", undefined],
                    ["kubernetes:core/v1:Namespace", "dify-namespace", PARENT],
                    ["kubernetes:core/v1:Secret", "dify-image-repo-secret", PARENT],
                    ["pulumi-nodejs:dynamic:Resource", "dify-push-check", PARENT],
                    ["kubernetes:helm.sh/v3:Release", "dify-dify", PARENT],
                ],
            );
            const release = resources[4];
            const { values, ...rest } = release.inputs;
            assert.deepEqual(rest, {
                chart: "dify",
                compat: "true",
                createNamespace: false,
                name: "dify-ee",
                namespace: "dify-dev",
                repositoryOpts: { repo: "https://charts.example.com/dify" },
                skipAwait: false,
                timeout: 900,
                version: "3.9.1",
            });
            assert.deepEqual(connectorOf(values).connector, {
                imageRepoSecret: "image-repo-secret",
                imageRepoPrefix: "docker.io/acme",
                imageRepoType: "docker",
                insecureImageRepo: false,
            });
        });

        it("stores the token under Docker Hub's auth key in the release namespace", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", hubArgs));
            const secret = resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
            assert.deepEqual(secret.inputs.metadata, { name: "image-repo-secret", namespace: "dify-dev" });
            assert.equal(secret.inputs.type, "kubernetes.io/dockerconfigjson");
            assert.ok(isSecretValue(secret.inputs.data));
            const keys = secret.inputs.data.value as Record<string, string>;
            const expected = { auths: { "https://index.docker.io/v1/": { auth: Buffer.from("acme-ci:dckr_pat_abc").toString("base64") } } };
            assert.deepEqual(JSON.parse(b64decode(keys[".dockerconfigjson"])), expected);
            assert.deepEqual(JSON.parse(b64decode(keys["config.json"])), expected);
        });
    });

    describe("options", () => {
        it("uses an existing namespace without creating it", async () => {
            const resources = await evaluate(
                () => new DifyPluginRegistry("dify", { ...dockerArgs, namespace: "platform", createNamespace: false }),
            );
            assert.deepEqual(
                resources.map((r) => r.type),
                ["dify:index:PluginRegistry", "kubernetes:core/v1:Secret", "pulumi-nodejs:dynamic:Resource", "kubernetes:helm.sh/v4:Chart"],
            );
            assert.equal((resources[1].inputs.metadata as { namespace: string }).namespace, "platform");
            assert.equal(resources[3].inputs.namespace, "platform");
        });

        it("passes other chart values through and merges plugin_connector keys it does not manage", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        ...dockerArgs,
                        chart: {
                            version: "3.7.4",
                            values: {
                                global: { consoleApiDomain: "console.example.com" },
                                api: { replicas: 3, tolerations: [{ key: "a", operator: "Exists" }] },
                                plugin_connector: {
                                    replicas: 2,
                                    resources: { limits: { cpu: "2" } },
                                    imageRepoSecret: "image-repo-secret",
                                },
                            },
                        },
                    }),
            );
            const values = resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!.inputs.values as Record<string, any>;
            assert.deepEqual(values.global, { consoleApiDomain: "console.example.com" });
            assert.deepEqual(values.api, { replicas: 3, tolerations: [{ key: "a", operator: "Exists" }] });
            assert.equal(values.plugin_connector.replicas, 2);
            assert.deepEqual(values.plugin_connector.resources, { limits: { cpu: "2" } });
            assert.equal(values.plugin_connector.imageRepoPrefix, "harbor.example.com/dify-plugins");
            assert.equal(values.plugin_connector.imageRepoSecret, "image-repo-secret");
        });

        it("sets scheduling, ServiceAccount names, one image override (that key only) and python settings", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        ...dockerArgs,
                        pluginConnector: {
                            nodeSelector: { pool: "plugins" },
                            affinity: {
                                nodeAffinity: {
                                    requiredDuringSchedulingIgnoredDuringExecution: {
                                        nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }],
                                    },
                                },
                            },
                            tolerations: [{ key: "plugins", operator: "Exists", effect: "NoSchedule" }],
                            labels: { team: "platform" },
                            serviceAccounts: { build: "plugin-build", runner: "plugin-runner" },
                            images: { gateway: "registry.example.com/nginx:1.29.4-alpine" },
                            python: {
                                pipMirror: "https://pypi.example.com/simple",
                                preCompile: false,
                                versions: { "3.10": null, "3.14": "registry.example.com/python-base:3.14" },
                            },
                        },
                    }),
            );
            const { connector, generator } = connectorOf(resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!.inputs.values);
            assert.deepEqual(connector, {
                imageRepoSecret: "image-repo-secret",
                imageRepoPrefix: "harbor.example.com/dify-plugins",
                imageRepoType: "docker",
                insecureImageRepo: false,
                customServiceAccount: "plugin-build",
                runnerServiceAccount: "plugin-runner",
                nodeSelector: { pool: "plugins" },
                affinity: {
                    nodeAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: {
                            nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }],
                        },
                    },
                },
                tolerations: [{ key: "plugins", operator: "Exists", effect: "NoSchedule" }],
                labels: { team: "platform" },
                gatewayImage: "registry.example.com/nginx:1.29.4-alpine",
                generatorConf: connector.generatorConf,
            });
            assert.deepEqual(generator, {
                generator: {
                    repo: "langgenius",
                    python: {
                        pipMirror: "https://pypi.example.com/simple",
                        preCompile: false,
                        versions: {
                            "python3.14": { langgenius: "registry.example.com/python-base:3.14" },
                            "python3.13": { langgenius: "docker.io/langgenius/plugin-build-base-python:3.13" },
                            "python3.12": { langgenius: "docker.io/langgenius/plugin-build-base-python:3.12" },
                            "python3.11": { langgenius: "docker.io/langgenius/plugin-build-base-python:3.11" },
                        },
                    },
                },
            });
        });

        it("moves every helper image and build base to the mirror", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        ...dockerArgs,
                        chart: { version: "3.9.1" },
                        pluginConnector: { imageMirror: "mirror.example.com:8443/dify" },
                    }),
            );
            const { connector, generator } = connectorOf(resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!.inputs.values);
            assert.equal(connector.gatewayImage, "mirror.example.com:8443/dify/nginx:1.29.4-alpine");
            assert.equal(connector.shaderImage, "mirror.example.com:8443/dify/kaniko-project/executor:latest");
            assert.equal(connector.busyBoxImage, "mirror.example.com:8443/dify/busybox:latest");
            assert.equal(connector.awsCliImage, "mirror.example.com:8443/dify/amazon/aws-cli:latest");
            assert.deepEqual(Object.values(generator.generator.python.versions), [
                { langgenius: "mirror.example.com:8443/dify/langgenius/plugin-build-base-python:3.14-secure" },
                { langgenius: "mirror.example.com:8443/dify/langgenius/plugin-build-base-python:3.13-secure" },
                { langgenius: "mirror.example.com:8443/dify/langgenius/plugin-build-base-python:3.12-secure" },
            ]);
        });

        it("accepts Output-valued server and prefix (from another resource) and resolves them", async () => {
            let component!: DifyPluginRegistry;
            await evaluate(
                () =>
                    (component = new DifyPluginRegistry("dify", {
                        ...dockerArgs,
                        registry: {
                            ...dockerArgs.registry,
                            type: "docker",
                            server: pulumi.output("ghcr.io"),
                            prefix: pulumi.output("acme/dify"),
                        } as DifyPluginRegistryArgs["registry"],
                    })),
            );
            assert.equal(await resolved(component.imageRepoPrefix), "ghcr.io/acme/dify");
        });
    });

    describe("determinism", () => {
        it("registers byte-identical inputs when the same arguments are evaluated twice", async () => {
            const run = async () =>
                JSON.stringify(
                    await evaluate(
                        () =>
                            new DifyPluginRegistry("dify", {
                                ...dockerArgs,
                                pluginConnector: { imageMirror: "m.example.com/x", labels: { b: "2", a: "1" } },
                            }),
                    ),
                );
            const first = await run();
            const second = await run();
            assert.equal(first, second);
            assert.ok(first.includes("image-repo-secret"));
        });
    });
});
