// Any chart version: the component sets only the plugin_connector keys it owns; where a version's defaults are
// needed (a mirror, a python change) they come from chart.defaultValues, else the exact-version table, else a clear
// error before anything is registered. Under the shared mocks.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { rejected } from "./support/rejected";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { PROJECT, parseStackConfig, toComponentArgs } from "../program/config";
import { FIXTURES, UNSEEN, unseenChartValues } from "./support/chartValues";
import { DYNAMIC_TYPE } from "./support/dynamicProviders";
import { evaluate, thrownBy } from "./support/evaluate";
import { connectorOf, DOCKER_CONNECTOR } from "./support/recorded";

const MIRROR = "mirror.example.com/dify";
const registry: DifyPluginRegistryArgs["registry"] = {
    type: "docker",
    server: "harbor.example.com",
    prefix: "dify-plugins",
    username: "robot$dify",
    password: pulumi.secret("hunter2"),
};
const PREFIX = { ...DOCKER_CONNECTOR, imageRepoPrefix: "harbor.example.com/dify-plugins" };
const withVersion = (version: string, over: Partial<DifyPluginRegistryArgs> = {}): DifyPluginRegistryArgs => ({
    registry,
    chart: { version },
    ...over,
});

const generatorOf = (connector: Record<string, unknown>) =>
    YAML.parse(connector.generatorConf as string) as { generator: { repo: string; python: Record<string, any> } };

describe("any Dify chart version", () => {
    for (const version of ["3.8.2", "3.10.0", "3.11.0", "4.0.0", "3.9.8", "3.5.6"]) {
        it(`${version} with no overrides deploys with only the keys the component owns`, async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", withVersion(version)));
            const chart = resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!;
            assert.equal(chart.inputs.version, version);
            assert.deepEqual(connectorOf(resources), PREFIX);
        });
    }

    it("an image override on a version outside the table sets that one key only", async () => {
        const resources = await evaluate(
            () =>
                new DifyPluginRegistry(
                    "dify",
                    withVersion("3.11.0", { pluginConnector: { images: { shader: "registry.example.com/kaniko:1" } } }),
                ),
        );
        assert.deepEqual(connectorOf(resources), { ...PREFIX, shaderImage: "registry.example.com/kaniko:1" });
    });

    it("scheduling and ServiceAccounts on a version outside the table need no defaults", async () => {
        const resources = await evaluate(
            () =>
                new DifyPluginRegistry(
                    "dify",
                    withVersion("4.0.0", {
                        pluginConnector: { nodeSelector: { pool: "plugins" }, serviceAccounts: { build: "b", runner: "r" } },
                    }),
                ),
        );
        assert.deepEqual(connectorOf(resources), {
            ...PREFIX,
            customServiceAccount: "b",
            runnerServiceAccount: "r",
            nodeSelector: { pool: "plugins" },
        });
    });

    describe("where the version's defaults are needed", () => {
        for (const [what, pluginConnector, argument, why] of [
            ["a mirror", { imageMirror: MIRROR }, "pluginConnector.imageMirror", "to move every helper image and python build base"],
            ["mirrorImages", { imageMirror: MIRROR, mirrorImages: {} }, "pluginConnector.imageMirror", "to move every helper image"],
            [
                "a pip mirror",
                { python: { pipMirror: "https://pypi.example.com/simple" } },
                "pluginConnector.python",
                "to change generatorConf",
            ],
            ["preCompile", { python: { preCompile: false } }, "pluginConnector.python", "to change generatorConf, which is written whole"],
            [
                "a build base",
                { python: { versions: { "3.12": "r.example.com/py:3.12" } } },
                "pluginConnector.python",
                "to change generatorConf",
            ],
        ] as const) {
            it(`${what} on 3.11.0 without chart.defaultValues is refused, naming the version, ${argument} and the way out`, async () => {
                const msg = await rejected(withVersion("3.11.0", { pluginConnector: pluginConnector as never }));
                assert.ok(msg.includes(`${argument}: needs chart 3.11.0's own plugin_connector defaults ${why}`), msg);
                assert.ok(
                    msg.includes("the component's table has no entry for 3.11.0 (exact versions only: 3.5.3, 3.5.5, 3.7.4, 3.9.1)"),
                    msg,
                );
                assert.ok(
                    msg.includes(
                        "give chart.defaultValues, the output of `helm show values dify --repo https://langgenius.github.io/dify-helm --version 3.11.0`",
                    ),
                    msg,
                );
                assert.ok(msg.includes("(in stack config: chart.defaultValuesFile)"), msg);
            });
        }

        it("a patch the table has not seen (3.9.8) is not given its series' defaults", async () => {
            const msg = await rejected(withVersion("3.9.8", { pluginConnector: { imageMirror: MIRROR } }));
            assert.match(msg, /needs chart 3\.9\.8's own plugin_connector defaults/);
        });

        for (const form of ["YAML text", "a parsed object"] as const) {
            it(`with chart.defaultValues as ${form}, every helper image and build base of that file moves to the mirror`, async () => {
                const text = unseenChartValues();
                const defaultValues = form === "YAML text" ? text : (YAML.parse(text) as Record<string, unknown>);
                const resources = await evaluate(
                    () =>
                        new DifyPluginRegistry("dify", {
                            registry,
                            chart: { version: "3.11.0", defaultValues },
                            pluginConnector: { imageMirror: MIRROR },
                        }),
                );
                const connector = connectorOf(resources);
                const { generatorConf, ...rest } = connector;
                assert.deepEqual(rest, {
                    ...PREFIX,
                    gatewayImage: `${MIRROR}/nginx:1.31.1-alpine`,
                    shaderImage: `${MIRROR}/kaniko-project/executor:v1.24.0`,
                    busyBoxImage: `${MIRROR}/busybox:1.37.0`,
                    awsCliImage: `${MIRROR}/amazon/aws-cli:2.31.0`,
                });
                assert.deepEqual(generatorOf(connector), {
                    generator: {
                        repo: "langgenius",
                        python: {
                            pipMirror: "",
                            preCompile: true,
                            versions: {
                                "python3.14": { langgenius: `${MIRROR}/langgenius/plugin-build-base-python:3.14-secure-r2` },
                                "python3.13": { langgenius: `${MIRROR}/langgenius/plugin-build-base-python:3.13-secure-r2` },
                                "python3.12": { langgenius: `${MIRROR}/langgenius/plugin-build-base-python:3.12-secure-r2` },
                            },
                        },
                    },
                });
                assert.equal(typeof generatorConf, "string");
            });
        }

        it("chart.defaultValues wins over the table for a version the table has", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        registry,
                        chart: { version: "3.9.1", defaultValues: unseenChartValues() },
                        pluginConnector: { imageMirror: MIRROR },
                    }),
            );
            assert.equal(connectorOf(resources).gatewayImage, `${MIRROR}/nginx:1.31.1-alpine`);
        });

        it("a python change on a table version edits that version's own generatorConf, and nothing else", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry(
                        "dify",
                        withVersion("3.5.3", { pluginConnector: { python: { pipMirror: "https://pypi.example.com/simple" } } }),
                    ),
            );
            const connector = connectorOf(resources);
            assert.deepEqual(Object.keys(connector).sort(), [...Object.keys(PREFIX), "generatorConf"].sort());
            const chart = YAML.parse(fs.readFileSync(path.join(FIXTURES, "3.5.3.yaml"), "utf8")).plugin_connector.generatorConf as string;
            assert.equal(connector.generatorConf, chart.replace('pipMirror: ""', 'pipMirror: "https://pypi.example.com/simple"'));
        });

        it("with the GitHub builder selected, the mirror moves github.shaderImage too", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        registry,
                        chart: {
                            version: "3.11.0",
                            defaultValues: unseenChartValues(),
                            values: { plugin_connector: { builderName: "github", github: { orgName: "acme", repoName: "plugins" } } },
                        },
                        pluginConnector: { imageMirror: MIRROR },
                    }),
            );
            const connector = connectorOf(resources);
            assert.equal(connector.builderName, "github");
            assert.deepEqual(connector.github, {
                orgName: "acme",
                repoName: "plugins",
                shaderImage: `${MIRROR}/kaniko-project/executor:v1.24.0-debug`,
            });
        });

        it("without the GitHub builder, github.shaderImage is the chart's", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        registry,
                        chart: { version: "3.11.0", defaultValues: unseenChartValues() },
                        pluginConnector: { imageMirror: MIRROR },
                    }),
            );
            assert.equal(connectorOf(resources).github, undefined);
        });

        it("mirrorImages copies the file's images, the GitHub builder's kaniko among them", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        registry,
                        chart: {
                            version: "4.0.0",
                            defaultValues: unseenChartValues(),
                            values: { plugin_connector: { builderName: "github" } },
                        },
                        pluginConnector: { imageMirror: MIRROR, mirrorImages: {} },
                    }),
            );
            const mirror = resources.find((r) => r.type === DYNAMIC_TYPE && r.name === "dify-image-mirror")!;
            assert.deepEqual(
                (mirror.inputs.plan as { source: string }[]).map((i) => i.source),
                [
                    "docker.io/library/nginx:1.31.1-alpine",
                    "gcr.io/kaniko-project/executor:v1.24.0",
                    "docker.io/library/busybox:1.37.0",
                    "gcr.io/kaniko-project/executor:v1.24.0-debug",
                    ...Object.values(UNSEEN.python),
                ],
            );
        });
    });

    describe("bad chart.defaultValues (a clear error before any resource)", () => {
        for (const [what, defaultValues, message] of [
            [
                "text that is not YAML",
                "plugin_connector: [unclosed",
                /chart\.defaultValues: is not YAML: .*; expected the output of `helm show values dify --repo https:\/\/langgenius\.github\.io\/dify-helm --version 3\.11\.0`/,
            ],
            [
                "a document that is not a map",
                "- a\n- b\n",
                /chart\.defaultValues: must be the chart's values: YAML text or an object with a `plugin_connector` map/,
            ],
            ["values without plugin_connector", "api:\n  replicas: 1\n", /chart\.defaultValues: has no `plugin_connector` map/],
            [
                "no generatorConf",
                { plugin_connector: { gatewayImage: "nginx:1" } },
                /chart\.defaultValues: has no `plugin_connector\.generatorConf` string/,
            ],
            [
                "a generatorConf that is not YAML",
                { plugin_connector: { generatorConf: "generator: [x" } },
                /chart\.defaultValues: plugin_connector\.generatorConf is not YAML/,
            ],
            [
                "a generatorConf without a versions map",
                { plugin_connector: { generatorConf: "generator:\n  repo: langgenius\n  python:\n    pipMirror: ''\n" } },
                /chart\.defaultValues: plugin_connector\.generatorConf has no `generator\.python\.versions` map/,
            ],
            [
                "a helper image that is not a reference",
                { plugin_connector: { gatewayImage: 42, generatorConf: "generator:\n  repo: r\n  python:\n    versions: {}\n" } },
                /chart\.defaultValues: has a `plugin_connector\.gatewayImage` that is not an image reference/,
            ],
        ] as const) {
            it(what, async () => {
                // Refused even when nothing needs the defaults: a bad file is a mistake either way.
                assert.match(await rejected({ registry, chart: { version: "3.11.0", defaultValues } }), message);
            });
        }

        it("chart.defaults (replaced) names chart.defaultValues", async () => {
            const msg = await rejected({ registry, chart: { version: "3.11.0", defaults: { images: {} } } });
            assert.match(
                msg,
                /chart\.defaults: was replaced by chart\.defaultValues: the chart version's own values \(helm show values dify --repo .* --version 3\.11\.0\)/,
            );
        });
    });

    describe("stack config: chart.defaultValuesFile", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "default-values-"));
        const cwd = process.cwd();
        before(() => process.chdir(dir));
        after(() => {
            process.chdir(cwd);
            fs.rmSync(dir, { recursive: true, force: true });
        });
        const config = (chart: Record<string, unknown>) => ({
            registry: { type: "docker", server: "harbor.example.com", prefix: "dify-plugins", username: "u", password: "p" },
            chart,
            pluginConnector: { imageMirror: MIRROR },
        });

        it("is read relative to the project directory and passed as chart.defaultValues", async () => {
            fs.mkdirSync(path.join(dir, "charts"), { recursive: true });
            fs.writeFileSync(path.join(dir, "charts", "values-3.11.0.yaml"), unseenChartValues());
            const args = toComponentArgs(parseStackConfig(config({ version: "3.11.0", defaultValuesFile: "charts/values-3.11.0.yaml" })));
            assert.equal(args.chart.defaultValues, unseenChartValues());
            assert.ok(!Object.hasOwn(args.chart, "defaultValuesFile"));
            const resources = await evaluate(() => new DifyPluginRegistry("dify", args));
            assert.equal(connectorOf(resources).gatewayImage, `${MIRROR}/nginx:1.31.1-alpine`);
        });

        it("a file that does not exist: an error naming the config key and where it looked", () => {
            const error = thrownBy(() =>
                toComponentArgs(parseStackConfig(config({ version: "3.11.0", defaultValuesFile: "missing.yaml" }))),
            );
            assert.ok(pulumi.InputPropertiesError.isInstance(error), String(error));
            assert.ok(
                error.message.includes(
                    `${PROJECT}:chart.defaultValuesFile: no such file: ${path.join(fs.realpathSync(dir), "missing.yaml")}`,
                ),
                error.message,
            );
        });

        it("chart.defaults is no longer a config key", () => {
            const error = thrownBy(() => parseStackConfig(config({ version: "3.11.0", defaults: {} })));
            assert.match(error.message, new RegExp(`${PROJECT}:chart\\.defaults: was replaced by chart\\.defaultValuesFile`));
        });
    });
});
