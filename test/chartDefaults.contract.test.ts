// Holds the exact-version table (engines/difyChart/defaults/knownVersions.json) and every key the component sets against
// the dify/dify chart's own default values (test/fixtures/dify-chart-values, the repository's copies).
// Plain functions only: no Pulumi runtime.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import {
    defaultsForChartVersion,
    defaultsFromValues,
    defaultValuesExcerpt,
    knownChartVersions,
    tableValuesFor,
} from "../engines/difyChart/defaults";
import { resolveConnectorImages } from "../components/values/imageKeys";
import { MANAGED_PLUGIN_CONNECTOR_KEYS } from "../components/values/chartValues";
import { editGeneratorConf, parseGeneratorConf } from "../engines/difyChart/generatorConf";
import { buildPluginConnectorValues, type PluginConnectorSettings } from "../components/values/pluginConnectorValues";

const FIXTURES = path.resolve(__dirname, "fixtures", "dify-chart-values");
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
const missingMessage = `chart values fixtures not found at ${FIXTURES}: the repository carries them (test/fixtures/dify-chart-values/)`;

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

function valuesOf(fixture: Fixture): Values {
    return YAML.parse(fs.readFileSync(fixture.file, "utf8")) as Values;
}

function jsType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    return typeof value;
}

const ROOT = path.resolve(__dirname, "..");
const IMAGE_KEYS = ["gatewayImage", "shaderImage", "busyBoxImage", "awsCliImage"];

const fullSettings = (images: PluginConnectorSettings["images"]): PluginConnectorSettings => ({
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
                nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] }],
            },
        },
    },
    tolerations: [{ key: "dedicated", operator: "Equal", value: "plugins", effect: "NoSchedule" }],
    labels: { team: "ai-platform" },
    images,
});

describe("chart defaults contract (fixtures: dify/dify default values)", () => {
    it("has the fixtures directory with at least one chart version", () => {
        assert.ok(fs.existsSync(FIXTURES), missingMessage);
        assert.ok(fixtures.length > 0, `no <version>[-suffix].yaml files in ${FIXTURES}`);
    });

    it("the table has an entry for exactly the versions whose values file was seen", () => {
        assert.ok(fs.existsSync(FIXTURES), missingMessage);
        assert.deepEqual(
            [...knownChartVersions],
            fixtures.map((f) => f.version),
        );
    });

    it("npm run chart-defaults over the fixtures writes the committed table byte for byte", function () {
        this.timeout(30_000);
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chart-defaults-")), "knownVersions.json");
        execFileSync(
            process.execPath,
            ["--import", "tsx", path.join(ROOT, "scripts", "chartDefaults.ts"), "--out", out, "--replace", ...fixtures.map((f) => f.file)],
            {
                cwd: ROOT,
                stdio: "pipe",
            },
        );
        assert.equal(
            fs.readFileSync(out, "utf8"),
            fs.readFileSync(path.join(ROOT, "engines", "difyChart", "defaults", "knownVersions.json"), "utf8"),
        );
    });

    for (const fixture of fixtures) {
        describe(`chart ${fixture.version} (${path.basename(fixture.file)})`, () => {
            let values: Values;
            let connector: Values;

            before(() => {
                values = valuesOf(fixture);
                connector = pluginConnectorOf(fixture);
            });

            it("(a) the table entry is the file's own helper images, github.shaderImage and generatorConf, unchanged", () => {
                const expected: Values = {};
                for (const key of IMAGE_KEYS) expected[key] = connector[key];
                const github = connector.github as Values;
                if (github.shaderImage !== undefined) expected.github = { shaderImage: github.shaderImage };
                expected.generatorConf = connector.generatorConf;
                assert.deepEqual(tableValuesFor(fixture.version), { plugin_connector: expected });
                assert.deepEqual(defaultValuesExcerpt(values), { plugin_connector: expected });
            });

            it("(b) defaults from the table equal defaults read from the whole file", () => {
                const defaults = defaultsForChartVersion(fixture.version);
                assert.deepEqual(defaults, defaultsFromValues(values));
                assert.deepEqual(defaults?.images, {
                    gateway: connector.gatewayImage,
                    shader: connector.shaderImage,
                    busyBox: connector.busyBoxImage,
                    awsCli: connector.awsCliImage,
                });
                assert.equal(defaults?.generatorConf, connector.generatorConf);
                const parsed = parseGeneratorConf(connector.generatorConf as string);
                assert.deepEqual(defaults?.python, parsed.python);
                assert.deepEqual(
                    Object.keys(defaults?.python.versions ?? {}),
                    Object.keys(parsed.python.versions),
                    "newest first, as the chart",
                );
                assert.ok(Object.keys(parsed.python.versions).length > 0, "fixture lists no python versions");
            });

            it("(c) every key buildPluginConnectorValues can set exists in the chart's plugin_connector with the same type", () => {
                const defaults = defaultsFromValues(values);
                const moved = resolveConnectorImages({
                    overrides: {},
                    mirror: "mirror.example.com/dify",
                    githubBuilder: true,
                    defaults: () => defaults,
                });
                assert.ok(moved);
                const built = buildPluginConnectorValues(fullSettings(moved));
                const { github, ...rest } = built;
                const expectedKeys = Object.keys(MANAGED_PLUGIN_CONNECTOR_KEYS).sort();
                assert.deepEqual(Object.keys(rest).sort(), expectedKeys);
                for (const [key, value] of Object.entries(rest)) {
                    assert.ok(Object.hasOwn(connector, key), `plugin_connector.${key} is not a key of chart ${fixture.version}`);
                    assert.equal(
                        jsType(value),
                        jsType(connector[key]),
                        `plugin_connector.${key}: type differs from chart ${fixture.version}`,
                    );
                }
                // github.shaderImage only where the version's github block has one (3.6.x on).
                const chartGithub = connector.github as Values;
                if (chartGithub.shaderImage === undefined) {
                    assert.equal(github, undefined);
                } else {
                    assert.deepEqual(github, {
                        shaderImage: `mirror.example.com/dify/${String(chartGithub.shaderImage).replace(/^gcr\.io\//, "")}`,
                    });
                }
                assert.equal(built.imageRepoSecret, connector.imageRepoSecret, "the fixed Secret name is the chart's default");
            });

            it("(c') with no override, change or mirror the values hold no helper image and no generatorConf", () => {
                const images = resolveConnectorImages({
                    overrides: {},
                    githubBuilder: false,
                    defaults: () => assert.fail("defaults must not be needed"),
                });
                const built = buildPluginConnectorValues(fullSettings(images!));
                for (const key of [...IMAGE_KEYS, "generatorConf", "github"]) assert.ok(!Object.hasOwn(built, key), key);
                for (const key of Object.keys(built))
                    assert.ok(Object.hasOwn(connector, key), `${key} is not a key of chart ${fixture.version}`);
            });

            it("(c'') every managed plugin_connector key is a key of the chart", () => {
                for (const key of Object.keys(MANAGED_PLUGIN_CONNECTOR_KEYS)) {
                    assert.ok(Object.hasOwn(connector, key), `managed key plugin_connector.${key} missing from chart ${fixture.version}`);
                }
            });

            it("(d) editGeneratorConf with no change returns the chart's generatorConf byte for byte", () => {
                assert.equal(editGeneratorConf(connector.generatorConf as string, {}), connector.generatorConf);
            });

            it("(d') a mirror moves every build base of the file and keeps the rest of the document", () => {
                const conf = connector.generatorConf as string;
                const edited = YAML.parse(editGeneratorConf(conf, { mapImage: (ref) => `m.example.com/x/${ref}` }));
                const chart = YAML.parse(conf);
                assert.deepEqual(Object.keys(edited.generator.python.versions), Object.keys(chart.generator.python.versions));
                for (const [version, byRepo] of Object.entries(chart.generator.python.versions as Record<string, Values>)) {
                    assert.deepEqual(edited.generator.python.versions[version], { langgenius: `m.example.com/x/${byRepo.langgenius}` });
                }
                edited.generator.python.versions = chart.generator.python.versions;
                assert.deepEqual(edited, chart);
            });

            it("(e) exact version only: neighbouring patch versions have no entry unless their own file was seen", () => {
                const [major, minor, patch] = fixture.version.split(".").map(Number);
                for (const neighbour of [patch + 1, patch + 2, 42].map((p) => `${major}.${minor}.${p}`)) {
                    if (!fixtures.some((f) => f.version === neighbour)) {
                        assert.equal(defaultsForChartVersion(neighbour), undefined, neighbour);
                    }
                }
            });
        });
    }

    describe("versions outside the table", () => {
        for (const version of ["3.5.6", "3.8.2", "3.9.8", "3.10.0", "3.11.0", "4.0.0", "2.7.4", "0.0.0"]) {
            it(`${version} → undefined`, () => {
                assert.equal(defaultsForChartVersion(version), undefined);
            });
        }
        for (const version of ["3.7", "v3.7.4", "^3.7.4", "~3.7.4", "latest", "", " 3.7.4", "3.7.4 ", "3.7.x", "3.7.4.1"]) {
            it(`non-semver ${JSON.stringify(version)} → undefined`, () => {
                assert.equal(defaultsForChartVersion(version), undefined);
            });
        }
    });
});
