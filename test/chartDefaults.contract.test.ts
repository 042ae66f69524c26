// Holds the defaults table in components/chartDefaults.ts against the dify/dify chart's own default values
// (../shared/fixtures/dify-chart-values, relative to the repo root). Plain functions only: no Pulumi runtime.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { defaultsForChartVersion, knownSeries, verifiedVersions, type ChartDefaults } from "../components/chartDefaults";
import { MANAGED_PLUGIN_CONNECTOR_KEYS } from "../components/values/chartValues";
import { buildGeneratorConf, parseGeneratorConf } from "../components/values/generatorConf";
import { buildPluginConnectorValues, type PluginConnectorSettings } from "../components/values/pluginConnectorValues";

const FIXTURES = path.resolve(__dirname, "..", "..", "shared", "fixtures", "dify-chart-values");
const FIXTURE_FILE = /^(\d+\.\d+\.\d+)(?:-[a-z0-9-]+)?\.yaml$/;

interface Fixture {
    readonly version: string;
    readonly file: string;
}

/** Fixture files by chart version, sorted by version; empty when the directory is missing (a test then fails). */
function listFixtures(): Fixture[] {
    if (!fs.existsSync(FIXTURES)) {
        return [];
    }
    const found: Fixture[] = [];
    for (const file of fs.readdirSync(FIXTURES)) {
        const match = FIXTURE_FILE.exec(file);
        if (match) {
            found.push({ version: match[1], file: path.join(FIXTURES, file) });
        }
    }
    const key = (v: string) => v.split(".").map(Number);
    return found.sort((a, b) => {
        const [x, y] = [key(a.version), key(b.version)];
        return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
}

const fixtures = listFixtures();
const missingMessage =
    `chart values fixtures not found at ${FIXTURES}; the contract tests need ../shared/fixtures/dify-chart-values ` +
    `beside the repository root (CI copies shared/ next to the clone)`;

type Values = Record<string, unknown>;

function pluginConnectorOf(fixture: Fixture): Values {
    const doc = YAML.parse(fs.readFileSync(fixture.file, "utf8")) as Values;
    const connector = doc.plugin_connector;
    assert.ok(
        typeof connector === "object" && connector !== null && !Array.isArray(connector),
        `${fixture.file} has no plugin_connector mapping`,
    );
    return connector as Values;
}

function defaultsOf(version: string): ChartDefaults {
    const defaults = defaultsForChartVersion(version);
    assert.ok(defaults, `defaultsForChartVersion(${JSON.stringify(version)}) returned undefined`);
    return defaults;
}

function jsType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    return typeof value;
}

/** Key paths and leaf types of a parsed YAML document (key order kept), e.g. `{ a: { b: "string" } }`. */
function shapeOf(value: unknown): unknown {
    if (jsType(value) === "object") {
        return Object.fromEntries(Object.entries(value as Values).map(([k, v]) => [k, shapeOf(v)]));
    }
    if (Array.isArray(value)) {
        return value.map(shapeOf);
    }
    return jsType(value);
}

/** Every key path of a parsed document, in document order, so key ORDER can be compared too. */
function keyPaths(value: unknown, prefix = ""): string[] {
    if (jsType(value) !== "object") {
        return [];
    }
    return Object.entries(value as Values).flatMap(([k, v]) => [`${prefix}${k}`, ...keyPaths(v, `${prefix}${k}.`)]);
}

describe("chart defaults contract (fixtures: dify/dify default values)", () => {
    it("has the fixtures directory with at least one chart version", () => {
        assert.ok(fs.existsSync(FIXTURES), missingMessage);
        assert.ok(fixtures.length > 0, `no <version>[-suffix].yaml files in ${FIXTURES}`);
    });

    it("verifiedVersions() equals the fixture versions (a fixture without a table entry fails)", () => {
        assert.ok(fs.existsSync(FIXTURES), missingMessage);
        assert.deepEqual(
            [...verifiedVersions()],
            fixtures.map((f) => f.version),
        );
    });

    it("knownSeries names the major.minor of each verified version", () => {
        assert.deepEqual([...knownSeries], ["3.5.x", "3.7.x", "3.9.x"]);
        assert.deepEqual(
            [...knownSeries],
            verifiedVersions().map((v) => `${v.split(".").slice(0, 2).join(".")}.x`),
        );
    });

    for (const fixture of fixtures) {
        describe(`chart ${fixture.version} (${path.basename(fixture.file)})`, () => {
            let connector: Values;
            let defaults: ChartDefaults;

            before(() => {
                connector = pluginConnectorOf(fixture);
                defaults = defaultsOf(fixture.version);
            });

            it("(a) helper images equal plugin_connector gatewayImage/shaderImage/busyBoxImage/awsCliImage", () => {
                assert.deepEqual(defaults.images, {
                    gateway: connector.gatewayImage,
                    shader: connector.shaderImage,
                    busyBox: connector.busyBoxImage,
                    awsCli: connector.awsCliImage,
                });
                for (const image of Object.values(defaults.images)) {
                    assert.equal(typeof image, "string");
                    assert.ok(image.length > 0);
                }
            });

            it("(b) generator repo and python pipMirror/preCompile/versions equal the fixture's generatorConf, in order", () => {
                assert.equal(typeof connector.generatorConf, "string", "plugin_connector.generatorConf must be a string");
                const parsed = parseGeneratorConf(connector.generatorConf as string);
                assert.equal(defaults.generatorRepo, parsed.repo);
                assert.deepEqual(defaults.python, parsed.python);
                // deepEqual ignores key order; the chart lists build bases newest first and so must the table.
                assert.deepEqual(Object.keys(defaults.python.versions), Object.keys(parsed.python.versions));
                assert.ok(Object.keys(parsed.python.versions).length > 0, "fixture lists no python versions");
            });

            it("(c) every key buildPluginConnectorValues sets exists in the chart's plugin_connector with the same type", () => {
                const settings: PluginConnectorSettings = {
                    imageRepoPrefix: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/dify-plugins",
                    imageRepoType: "ecr",
                    ecrRegion: "eu-west-1",
                    insecure: false,
                    buildServiceAccount: "dify-plugin-build",
                    runnerServiceAccount: "dify-plugin-runner",
                    nodeSelector: { "kubernetes.io/os": "linux", "node.kubernetes.io/pool": "plugins" },
                    affinity: {
                        nodeAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: {
                                nodeSelectorTerms: [
                                    { matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] },
                                ],
                            },
                        },
                    },
                    tolerations: [{ key: "dedicated", operator: "Equal", value: "plugins", effect: "NoSchedule" }],
                    labels: { team: "ai-platform" },
                    images: defaults.images,
                    generatorConf: buildGeneratorConf(defaults.generatorRepo, defaults.python),
                };
                const values = buildPluginConnectorValues(settings);

                // With every optional setting given, the builder sets exactly the managed keys.
                assert.deepEqual(Object.keys(values).sort(), Object.keys(MANAGED_PLUGIN_CONNECTOR_KEYS).sort());
                for (const [key, value] of Object.entries(values)) {
                    assert.ok(Object.hasOwn(connector, key), `plugin_connector.${key} is not a key of chart ${fixture.version}`);
                    assert.equal(
                        jsType(value),
                        jsType(connector[key]),
                        `plugin_connector.${key}: component sets ${jsType(value)}, chart ${fixture.version} default is ${jsType(connector[key])}`,
                    );
                }
                // The fixed Secret name is the chart's default.
                assert.equal(values.imageRepoSecret, connector.imageRepoSecret);
                assert.deepEqual(values, {
                    imageRepoSecret: "image-repo-secret",
                    imageRepoPrefix: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/dify-plugins",
                    imageRepoType: "ecr",
                    ecrRegion: "eu-west-1",
                    insecureImageRepo: false,
                    customServiceAccount: "dify-plugin-build",
                    runnerServiceAccount: "dify-plugin-runner",
                    nodeSelector: settings.nodeSelector,
                    affinity: settings.affinity,
                    tolerations: settings.tolerations,
                    labels: { team: "ai-platform" },
                    gatewayImage: connector.gatewayImage,
                    shaderImage: connector.shaderImage,
                    busyBoxImage: connector.busyBoxImage,
                    awsCliImage: connector.awsCliImage,
                    generatorConf: connector.generatorConf,
                });
            });

            it("(c') every managed plugin_connector key is a key of the chart", () => {
                for (const key of Object.keys(MANAGED_PLUGIN_CONNECTOR_KEYS)) {
                    assert.ok(Object.hasOwn(connector, key), `managed key plugin_connector.${key} missing from chart ${fixture.version}`);
                }
            });

            it("(d) buildGeneratorConf has the fixture generatorConf's shape and deep-equals it when built from the defaults", () => {
                const built = YAML.parse(buildGeneratorConf(defaults.generatorRepo, defaults.python)) as unknown;
                const chart = YAML.parse(connector.generatorConf as string) as unknown;
                assert.deepEqual(shapeOf(built), shapeOf(chart));
                assert.deepEqual(keyPaths(built), keyPaths(chart));
                assert.deepEqual(built, chart);
            });

            it("(d') buildGeneratorConf from the defaults is byte-identical to the chart's generatorConf string", () => {
                assert.equal(buildGeneratorConf(defaults.generatorRepo, defaults.python), connector.generatorConf);
            });

            it("(f) every version of the series resolves to the same entry", () => {
                const [major, minor] = fixture.version.split(".");
                for (const patch of ["0", "1", "9", "42"]) {
                    assert.deepEqual(defaultsOf(`${major}.${minor}.${patch}`), defaults, `${major}.${minor}.${patch}`);
                }
            });
        });
    }

    describe("(f) versions outside the table", () => {
        for (const version of ["3.6.0", "3.8.2", "4.0.0", "3.10.0", "2.7.4", "0.0.0"]) {
            it(`unknown series ${version} → undefined`, () => {
                assert.equal(defaultsForChartVersion(version), undefined);
            });
        }
        for (const version of ["3.7", "v3.7.4", "^3.7.4", "~3.7.4", "latest", "", " 3.7.4", "3.7.4 ", "03.7.4", "3.7.x", "3.7.4.1"]) {
            it(`non-semver ${JSON.stringify(version)} → undefined`, () => {
                assert.equal(defaultsForChartVersion(version), undefined);
            });
        }
    });
});
