// Ties every Args interface to the schema that checks it at run time: a key added to one and not the other fails
// here. The interfaces' keys are read with the TypeScript compiler from the source; the schemas' from zod.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as ts from "typescript";
import type { z } from "zod";
import {
    chartSchema,
    helperImagesSchema,
    mirrorImagesSchema,
    mirrorRegistrySchema,
    pluginConnectorSchema,
    pluginRegistryArgsSchema,
    pushCheckArgsSchema,
    pythonSchema,
    serviceAccountNamesSchema,
} from "../components/argsSchema";
import { registryKindFor } from "../components/registries";

const ROOT = path.resolve(__dirname, "..");

/** Property names of each exported interface or type alias of the package (unions: every member's). */
function interfaceKeys(): Map<string, string[]> {
    const program = ts.createProgram([path.join(ROOT, "components", "index.ts")], {
        strict: true,
        noEmit: true,
        resolveJsonModule: true,
        esModuleInterop: true,
        skipLibCheck: true,
        types: ["node"],
    });
    const checker = program.getTypeChecker();
    const keys = new Map<string, string[]>();
    const index = program.getSourceFile(path.join(ROOT, "components", "index.ts"))!;
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(index)!)) {
        const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        if (!(target.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))) continue;
        const type = checker.getDeclaredTypeOfSymbol(target);
        const members = type.isUnion() ? type.types : [type];
        keys.set(symbol.name, [...new Set(members.flatMap((m) => checker.getPropertiesOfType(m).map((p) => p.name)))].sort());
    }
    return keys;
}

/** The keys of an object schema (optional and union wrappers of input() unwrapped). */
function schemaKeys(schema: z.ZodType): string[] {
    let def = schema._zod.def as unknown as Record<string, any>;
    while (def.type === "optional" || def.type === "nullable") def = def.innerType._zod.def;
    assert.equal(def.type, "object", "an object schema");
    return Object.keys(def.shape).sort();
}

const field = (schema: z.ZodType, key: string): z.ZodType =>
    (schema._zod.def as unknown as { shape: Record<string, z.ZodType> }).shape[key];
const kind = (type: string) => registryKindFor(type)!.configSchema as unknown as z.ZodType;

/** Keys a schema accepts only to explain, in validate(), why they do not apply. */
const EXPLAINED_ONLY: Readonly<Record<string, readonly string[]>> = {
    // "Docker Hub is always HTTPS; remove `insecure`" reads better than "unknown key".
    DockerHubRegistryArgs: ["insecure"],
};

describe("Args interfaces and their run-time schemas have the same keys", function () {
    this.timeout(60_000);
    let interfaces: Map<string, string[]>;
    before(() => {
        interfaces = interfaceKeys();
    });

    for (const [name, schema] of [
        ["DifyPluginRegistryArgs", () => pluginRegistryArgsSchema],
        ["DifyChartArgs", () => chartSchema],
        ["PluginConnectorArgs", () => pluginConnectorSchema],
        ["PythonArgs", () => pythonSchema],
        ["ServiceAccountNames", () => serviceAccountNamesSchema],
        ["MirrorImagesArgs", () => mirrorImagesSchema],
        ["PushCheckArgs", () => pushCheckArgsSchema],
        ["HelperImages", () => helperImagesSchema],
        ["MirrorRegistrySettings", () => mirrorRegistrySchema],
        ["DockerRegistryArgs", () => kind("docker")],
        ["DockerHubRegistryArgs", () => kind("dockerhub")],
        ["EcrRegistryArgs", () => kind("ecr")],
        ["EcrAuthArgs", () => field(kind("ecr"), "auth")],
        ["EcrRepositoryArgs", () => field(kind("ecr"), "repositories")],
        ["AcrRegistryArgs", () => kind("acr")],
        ["AcrCredentialArgs", () => field(kind("acr"), "credential")],
        ["AliyunRegistryArgs", () => kind("aliyun")],
        ["AliyunEnterpriseInstanceArgs", () => field(kind("aliyun"), "newInstance")],
        ["TcrRegistryArgs", () => kind("tcr")],
    ] as const) {
        it(name, () => {
            const declared = interfaces.get(name);
            assert.ok(declared, `${name} is not exported from components/index.ts`);
            const accepted = schemaKeys(schema()).filter((k) => !(EXPLAINED_ONLY[name] ?? []).includes(k));
            assert.deepEqual(accepted, declared);
        });
    }

    it("every exported *Args interface is tied to a schema above", () => {
        const tied = new Set([
            "DifyPluginRegistryArgs",
            "DifyChartArgs",
            "PluginConnectorArgs",
            "PythonArgs",
            "MirrorImagesArgs",
            "PushCheckArgs",
        ]);
        const untied = [...interfaces.keys()].filter(
            (n) => n.endsWith("Args") && !tied.has(n) && !/^(Docker|DockerHub|Ecr|Acr|Aliyun|Tcr)/.test(n) && n !== "RegistryArgs",
        );
        // ImageMirrorArgs and RegistryPushCheckArgs are the dynamic resources' own (built by the component, never by users).
        assert.deepEqual(untied.sort(), ["ImageMirrorArgs", "RegistryPushCheckArgs"]);
    });
});
