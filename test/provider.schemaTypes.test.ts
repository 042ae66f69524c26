/**
 * What the package schema makes the generated SDKs enforce, and where it comes from: it validates against Pulumi's
 * package metaschema (pkg/codegen/schema/pulumi.json of pulumi/pulumi v3.248.0, copied to test/fixtures); its names
 * do not depend on the git owner; every property's description is its TypeScript member's TSDoc; `plain` where the
 * TypeScript type takes no Output; enums for the TypeScript types' string-literal unions; integers for counts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { allRegistryKinds } from "../components/registries";
import { OUTPUT_NAMES } from "../provider/construct";
import { type ArgsDocs, argsDocsText, readArgsDocs } from "../provider/argsDocs";
import { packageVersion } from "../provider/main";
import {
    LANGUAGE_NAMES,
    PACKAGE_NAMESPACE,
    PLUGIN_REGISTRY_TOKEN,
    PROVIDER_DESCRIPTIONS,
    REPOSITORY,
    packageSchema,
} from "../provider/schema";

const ROOT = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** Pulumi's package metaschema as a validator (draft 2020-12). */
function metaschemaValidator() {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajv.addFormat("regex", (s: string) => {
        try {
            new RegExp(s);
            return true;
        } catch {
            return false;
        }
    });
    ajv.addFormat("uri-reference", true);
    return ajv.compile(JSON.parse(read("test/fixtures/pulumi-package-metaschema.json")));
}

/** Every property of the component's inputs, by the path `argsDocs` uses (`chart.kind`, `pluginConnector.mirrorImages.registries.*.caFile`). */
function inputPaths(schema: any): Map<string, any> {
    const out = new Map<string, any>();
    const typeOf = (ref: string | undefined) => (ref?.startsWith("#/types/") ? schema.types[ref.slice("#/types/".length)] : undefined);
    const walk = (properties: Record<string, any>, at: string) => {
        for (const [key, spec] of Object.entries(properties)) {
            const where = at ? `${at}.${key}` : key;
            out.set(where, spec);
            const nested = (s: any, p: string) => {
                const type = typeOf(s?.$ref);
                if (type?.properties) walk(type.properties, p);
            };
            nested(spec, where);
            nested(spec.additionalProperties, `${where}.*`);
            nested(spec.items, `${where}.[]`);
        }
    };
    walk(schema.resources[PLUGIN_REGISTRY_TOKEN].inputProperties, "");
    return out;
}

describe("provider: the package schema's types, names and descriptions", function () {
    this.timeout(120_000);
    const schema = packageSchema(packageVersion()) as any;
    const component = schema.resources[PLUGIN_REGISTRY_TOKEN];
    const paths = inputPaths(schema);
    let docs: ArgsDocs;
    before(() => {
        docs = readArgsDocs(); // the TypeScript compiler, now: not the generated JSON
    });

    it("validates against Pulumi's package metaschema (pulumi/pulumi v3.248.0 pkg/codegen/schema/pulumi.json)", () => {
        const validate = metaschemaValidator();
        assert.ok(validate(schema), JSON.stringify(validate.errors, null, 2));
    });

    it("the metaschema check catches a bad schema (an enum value without `value`, a namespace with capitals)", () => {
        const validate = metaschemaValidator();
        const bad = structuredClone(schema);
        bad.namespace = "Dify_Plugins";
        bad.types["dify-plugin-registry:index:ChartKind"].enum = [{ valu: "chart" }];
        assert.equal(validate(bad), false);
        const messages = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
        assert.ok(
            messages.some((m) => m.startsWith("/namespace must match pattern")),
            messages.join("\n"),
        );
        assert.ok(
            messages.some((m) => m.includes("ChartKind/enum/0 must have required property 'value'")),
            messages.join("\n"),
        );
    });

    it("states its namespace, repository, publisher, keywords and each language's package name, whatever the git owner", () => {
        assert.equal(schema.namespace, PACKAGE_NAMESPACE);
        assert.match(schema.namespace, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
        const pkg = JSON.parse(read("package.json"));
        assert.equal(`git+${REPOSITORY}.git`, pkg.repository.url, "the schema's repository is package.json's");
        assert.equal(schema.repository, REPOSITORY);
        assert.equal(schema.publisher, REPOSITORY.split("/")[3]);
        assert.ok(schema.keywords.includes("kind/component") && schema.keywords.includes("category/utility"));
        assert.deepEqual(schema.language, LANGUAGE_NAMES);
        assert.equal(schema.language.nodejs.packageName, "dify-plugin-registry");
        assert.equal(schema.language.python.packageName, "pulumi_dify_plugin_registry");
        assert.match(schema.language.go.importBasePath, /\/dify-plugin-registry\/sdk\/go\/difypluginregistry$/);
        assert.equal(schema.language.csharp.rootNamespace, "Dify");
        assert.equal(schema.language.java.basePackage, "com.dify");
    });

    it("the docs and examples use those names: the Python module, the SDK directory", () => {
        const python = LANGUAGE_NAMES.python.packageName;
        assert.match(read("examples/python/__main__.py"), new RegExp(`^import ${python} as dify$`, "m"));
        const readme = read("README.md");
        const section = readme.slice(readme.indexOf("## Use from other languages"), readme.indexOf("## Arguments and stack config"));
        assert.ok(section.includes(`import ${python}`), "README names the Python module");
        assert.ok(section.includes(`sdks/${PACKAGE_NAMESPACE}-dify-plugin-registry`), "README names the SDK directory");
        assert.ok(read("examples/python/requirements.txt").includes(`sdks/${PACKAGE_NAMESPACE}-dify-plugin-registry`));
    });

    it("provider/argsDocs.json is what the TypeScript compiler reads from the TSDoc now (npx tsx provider/argsDocs.ts)", () => {
        assert.deepEqual(JSON.parse(read("provider/argsDocs.json")), JSON.parse(argsDocsText(docs)));
    });

    it("every input property has a description, and it is its TypeScript member's TSDoc", () => {
        const problems: string[] = [];
        for (const [where, spec] of paths) {
            const expected = docs.inputs[where]?.description ?? PROVIDER_DESCRIPTIONS[where];
            if (!spec.description) {
                problems.push(`${where}: no description`);
            } else if (spec.description !== expected) {
                problems.push(`${where}: description ${JSON.stringify(spec.description)} is not the TSDoc ${JSON.stringify(expected)}`);
            }
        }
        assert.deepEqual(problems, []);
        assert.ok(paths.size >= 120, `${paths.size} properties`);
    });

    it("states a description of its own only where the TypeScript member has no TSDoc", () => {
        const undocumented = [...paths.keys()].filter((p) => docs.inputs[p]?.description === undefined);
        assert.deepEqual(undocumented.sort(), Object.keys(PROVIDER_DESCRIPTIONS).sort());
    });

    it("every output has a description, its TypeScript property's TSDoc, and the construct returns exactly these outputs", () => {
        assert.deepEqual(Object.keys(component.properties), [...OUTPUT_NAMES]);
        for (const [name, spec] of Object.entries<any>(component.properties)) {
            assert.ok(spec.description, `${name} has a description`);
            assert.equal(spec.description, docs.outputs[name].description, name);
        }
    });

    it("every type has a description", () => {
        for (const [token, type] of Object.entries<any>(schema.types)) {
            assert.ok(type.description, token);
        }
    });

    it("a description is the TSDoc as written in the source (a check independent of the compiler-based reader)", () => {
        const args = read("components/args.ts");
        const tsdoc = /\/\*\* (Helm release name\.[^*]*?) \*\/\s+readonly releaseName\?/.exec(args)?.[1];
        assert.equal(paths.get("chart.releaseName").description, tsdoc);
        const docker = read("components/registries/docker/args.ts");
        assert.equal(paths.get("docker.server").description, /\/\*\* (Registry host[^*]*?) \*\/\s+readonly server:/.exec(docker)?.[1]);
    });

    it("is plain where the component needs a known value, as the TypeScript type is; an Input<T> there may be an Output", () => {
        for (const where of [
            "namespace",
            "createNamespace",
            "chart",
            "chart.version",
            "chart.kind",
            "pluginConnector",
            "pushCheck",
            "ecr.auth",
            "ecr.auth.mode",
        ]) {
            assert.equal(paths.get(where)?.plain, true, `${where} is plain`);
        }
        for (const kind of allRegistryKinds()) {
            assert.equal(paths.get(kind.type)?.plain, true, `the ${kind.type} block selects the kind: plain`);
        }
        for (const where of [
            "docker.password",
            "docker.server",
            "ecr.prefix",
            "acr.sku",
            "tcr.token",
            "pluginConnector.mirrorImages.auth",
            "pushCheck.auth",
        ]) {
            assert.equal(paths.get(where)?.plain, undefined, `${where} takes an Output (pulumi.Input in TypeScript)`);
        }
    });

    it("states the closed sets as enums, each with the TypeScript type's values", () => {
        const enumOf = (where: string) => {
            const ref = paths.get(where)?.$ref as string | undefined;
            const type = ref && schema.types[ref.slice("#/types/".length)];
            return type?.enum?.map((v: { value: string }) => v.value);
        };
        const expected: Record<string, string[]> = {
            "chart.kind": ["chart", "release"],
            "ecr.auth.mode": ["irsa", "podIdentity", "accessKey"],
            "ecr.auth.refresher": ["cronJob", "externalSecrets"],
            "ecr.auth.externalSecretsApiVersion": ["external-secrets.io/v1", "external-secrets.io/v1beta1"],
            "ecr.imageRepoType": ["docker", "ecr"],
            "ecr.repositories.imageTagMutability": ["MUTABLE", "IMMUTABLE"],
            "ecr.repositories.encryption": ["AES256", "KMS"],
            "acr.sku": ["Basic", "Standard", "Premium"],
            "aliyun.edition": ["enterprise", "personal"],
            "aliyun.network": ["public", "vpc"],
            "aliyun.newInstance.instanceType": ["Basic", "Standard", "Advanced"],
            "aliyun.newInstance.renewalStatus": ["ManualRenewal", "AutoRenewal"],
        };
        for (const [where, values] of Object.entries(expected)) {
            assert.deepEqual(enumOf(where), values, where);
        }
        const enums = [...paths.keys()].filter((p) => enumOf(p) !== undefined);
        assert.deepEqual(enums.sort(), Object.keys(expected).sort(), "no other enum");
        // `tcr.tokenRotation` takes "any new value": a string, not a closed set.
        assert.equal(paths.get("tcr.tokenRotation").type, "string");
        assert.deepEqual(component.properties.imageRepoType.$ref, paths.get("ecr.imageRepoType").$ref, "the output is the same enum");
    });

    it("states counts as integers, and nothing as a floating-point number", () => {
        for (const where of [
            "ecr.repositories.keepLastImages",
            "acr.credential.lifetimeDays",
            "aliyun.newInstance.period",
            "aliyun.newInstance.renewPeriod",
            "chart.timeout",
            "pluginConnector.mirrorImages.concurrency",
        ]) {
            assert.equal(paths.get(where)?.type, "integer", where);
        }
        assert.ok(!JSON.stringify(schema).includes('"type":"number"'));
    });

    it("types every output: strings, the ImageRepoType enum, maps", () => {
        const p = component.properties;
        assert.equal(p.namespace.type, "string");
        assert.equal(p.secretName.type, "string");
        assert.equal(p.imageRepoPrefix.type, "string");
        assert.equal(p.imageRepoType.$ref, "#/types/dify-plugin-registry:index:ImageRepoType");
        assert.equal(p.pluginConnectorValues.type, "object");
        assert.equal(p.registryOutputs.type, "object");
    });
});
