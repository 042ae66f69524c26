/**
 * The multi-language examples, held against the package schema: every property they use exists with the schema's
 * type, required ones are there, exactly one registry block is set, credentials come from secrets. Pulumi YAML is parsed
 * with `yaml`; the Python program with a light parser of its calls (test/support/pythonCalls.ts).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { packageVersion } from "../provider/main";
import { LANGUAGE_NAMES, PACKAGE_NAME, PLUGIN_REGISTRY_TOKEN, packageSchema, registryBlockNames } from "../provider/schema";
import { attributesOf, camelCase, moduleCalls } from "./support/pythonCalls";
import { checkAgainst, checkProperties, EnumMember, SecretValue, TypedObject, UNKNOWN } from "./support/schemaCheck";

const ROOT = path.resolve(__dirname, "..");
const schema = packageSchema(packageVersion()) as { resources: Record<string, any>; types: Record<string, any> };
const component = schema.resources as Record<string, any>;
const inputs = component[PLUGIN_REGISTRY_TOKEN].inputProperties;
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** Pulumi YAML values as the checker sees them: `${…}` and `fn::*` are run-time values, secret ones marked. */
function yamlValue(value: unknown, secretConfig: ReadonlySet<string>): unknown {
    if (typeof value === "string") {
        const whole = /^\$\{([^}]+)\}$/.exec(value);
        if (whole) {
            return secretConfig.has(whole[1]) ? ({ secretOf: UNKNOWN } satisfies SecretValue) : UNKNOWN;
        }
        return value;
    }
    if (Array.isArray(value)) {
        return value.map((v) => yamlValue(v, secretConfig));
    }
    if (value && typeof value === "object") {
        const keys = Object.keys(value);
        if (keys.length === 1 && keys[0].startsWith("fn::")) {
            return keys[0] === "fn::secret" ? { secretOf: yamlValue((value as any)["fn::secret"], secretConfig) } : UNKNOWN;
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, yamlValue(v, secretConfig)]));
    }
    return value;
}

/** Every secret property of the schema that `properties` (one level of a registry block) sets, and how. */
function credentialsGiven(block: string, properties: Record<string, unknown>): [string, boolean][] {
    const type = schema.types[decodeURIComponent(inputs[block].$ref.replace(/^#\/types\//, ""))];
    return Object.entries(properties)
        .filter(([k]) => type.properties[k]?.secret)
        .map(([k, v]) => [k, typeof v === "object" && v !== null && "secretOf" in v]);
}

describe("examples against the package schema", () => {
    describe("examples/yaml (Pulumi YAML)", () => {
        const project = parse(read("examples/yaml/Pulumi.yaml"));
        const secretConfig = new Set(
            Object.entries<any>(project.config ?? {})
                .filter(([, c]) => c?.secret === true)
                .map(([k]) => k),
        );
        const ours = Object.entries<any>(project.resources).filter(([, r]) =>
            [PLUGIN_REGISTRY_TOKEN, `${PACKAGE_NAME}:PluginRegistry`].includes(r.type),
        );

        it("is a YAML program that lists the package under packages:", () => {
            assert.equal(project.runtime, "yaml");
            assert.match(project.packages[PACKAGE_NAME], /dify-plugin-registry/);
            assert.equal(ours.length, 1);
        });

        it("uses only properties the schema has, with its types, and every required one", () => {
            const [, resource] = ours[0];
            const problems: string[] = [];
            checkProperties(
                schema,
                "",
                yamlValue(resource.properties, secretConfig) as any,
                inputs,
                component[PLUGIN_REGISTRY_TOKEN].requiredInputs,
                problems,
            );
            assert.deepEqual(problems, []);
        });

        it("sets exactly one registry block, with its credential from a secret", () => {
            const [, resource] = ours[0];
            const blocks = registryBlockNames().filter((b) => resource.properties[b] !== undefined);
            assert.equal(blocks.length, 1);
            const props = yamlValue(resource.properties[blocks[0]], secretConfig) as Record<string, unknown>;
            assert.deepEqual(credentialsGiven(blocks[0], props), [["password", true]]);
        });

        it("reads only outputs the component has", () => {
            const [name] = ours[0];
            const used = [...JSON.stringify(project.outputs).matchAll(new RegExp(`\\$\\{${name}\\.(\\w+)`, "g"))].map((m) => m[1]);
            assert.ok(used.length > 0);
            for (const output of used) {
                assert.ok(component[PLUGIN_REGISTRY_TOKEN].properties[output], `${name}.${output} is an output`);
            }
        });

        it("catches a property the schema does not have, or one of the wrong type (the checker works)", () => {
            const problems = checkAgainst(schema, "chart", { version: 3.9, kind: "Release", valuez: {} }, inputs.chart);
            assert.deepEqual(problems, [
                "chart.version: expected a string, got 3.9",
                'chart.kind: expected one of "chart", "release", got "Release"',
                "chart.valuez: no such property (has version, repository, chart, username, password, auth, caFile, fromMirror, releaseName, kind, values, valuesFile, defaultValues, secretValues, skipAwait, timeout)",
            ]);
        });
    });

    describe("examples/python", () => {
        const source = read("examples/python/__main__.py");
        const calls = moduleCalls(source, "dify");
        const registries = calls.filter((c) => c.callee === "PluginRegistry");

        it("has a Pulumi.yaml (python, the package under packages:) and requirements", () => {
            const project = parse(read("examples/python/Pulumi.yaml"));
            assert.equal(project.runtime.name, "python");
            assert.match(project.packages[PACKAGE_NAME], /dify-plugin-registry/);
            assert.match(read("examples/python/requirements.txt"), /^pulumi>=3/m);
            assert.match(source, new RegExp(`^import ${LANGUAGE_NAMES.python.packageName} as dify$`, "m"));
            assert.equal(LANGUAGE_NAMES.python.packageName, "pulumi_dify_plugin_registry");
            assert.equal(registries.length, 1);
            assert.equal(typeof registries[0].args[0], "string", "the resource name");
        });

        it("passes only arguments the schema has (snake_case of its names), with its types and SDK classes", () => {
            const { kwargs } = registries[0];
            const properties = Object.fromEntries(
                Object.entries(kwargs)
                    .filter(([k]) => k !== "opts")
                    .map(([k, v]) => [camelCase(k), v]),
            );
            const problems: string[] = [];
            checkProperties(schema, "", properties, inputs, component[PLUGIN_REGISTRY_TOKEN].requiredInputs, problems);
            assert.deepEqual(problems, []);
            const blocks = registryBlockNames().filter((b) => properties[b] !== undefined);
            assert.deepEqual(blocks, ["docker"]);
        });

        it("reads only outputs the component has", () => {
            const variable = registries[0].assignedTo!;
            const used = attributesOf(source, variable);
            assert.ok(used.length > 0);
            for (const attribute of used) {
                assert.ok(component[PLUGIN_REGISTRY_TOKEN].properties[camelCase(attribute)], `${variable}.${attribute} is an output`);
            }
        });

        it("uses the SDK's enum classes where the schema has a closed set", () => {
            const chart = registries[0].kwargs.chart as TypedObject;
            assert.deepEqual(chart.properties.kind, new EnumMember("ChartKind", "CHART"));
            const [bad] = moduleCalls(
                'r = dify.PluginRegistry("x", chart=dify.ChartArgs(version="3.9.1", kind=dify.ChartKind.HELM), ' +
                    'ecr=dify.EcrRegistryArgs(prefix="p", image_repo_type=dify.ChartKind.RELEASE))',
                "dify",
            );
            const problems: string[] = [];
            checkProperties(schema, "", bad.kwargs, inputs, [], problems);
            assert.deepEqual(problems, [
                "chart.kind: ChartKind has no member HELM (has CHART, RELEASE)",
                "ecr.imageRepoType: expected a member of ImageRepoType, got ChartKind.RELEASE",
            ]);
        });

        it("catches a wrong SDK class or an unknown keyword (the parser and checker work)", () => {
            const [bad] = moduleCalls(
                'r = dify.PluginRegistry("x", docker=dify.ChartArgs(version="1"), chart=dify.ChartArgs(versoin="3.9.1"))',
                "dify",
            );
            const problems: string[] = [];
            checkProperties(schema, "", bad.kwargs, inputs, [], problems);
            assert.ok(problems.includes("chart.version: required, missing"), problems.join("\n"));
            assert.match(problems[0], /^docker: expected DockerRegistry, got Chart/);
            assert.match(problems.join("\n"), /chart\.versoin: no such property/);
        });
    });
});
