/**
 * The Pulumi package schema of the multi-language face: what `pulumi package add` turns into SDKs for Python, Go, C#,
 * Java and the type checks of Pulumi YAML. Every shape is derived, not restated:
 * - keys, required keys and what may be an Output come from the zod schemas the component checks its arguments with
 *   (each registry kind's `configSchema`, `components/argsSchema.ts`): a key the TypeScript type takes as
 *   `pulumi.Input<T>` (zod `input(…)`) may be an Output, every other one is `plain` — the component reads it while
 *   the program runs (`namespace`, `chart.version`, `chart.kind`, the registry block that selects the kind,
 *   `ecr.auth.mode`), and the generated SDKs refuse an Output there, as the TypeScript types do;
 * - descriptions and closed sets (enums) come from the TSDoc and the string-literal types of the TypeScript API, read
 *   by the TypeScript compiler into `argsDocs.json` (`npx tsx provider/argsDocs.ts`), so each is written once;
 * - numbers are `integer`: every number the component takes is a count (images kept, days, transfers, seconds).
 */
import { z } from "zod";
import * as argsSchema from "../components/argsSchema";
import { allRegistryKinds } from "../components/registries";
import type { ArgsDocs, MemberDoc } from "./argsDocs";
import argsDocsJson from "./argsDocs.json";
import { SERVED_RESOURCE_TYPES, servedResourceSchemas } from "./resourceSchemas";

/** The package name: the repository's and npm's. Every token of the schema starts with it. */
export const PACKAGE_NAME = "dify-plugin-registry";
/** The token users see in every language (the TypeScript class alone registers as `dify:index:PluginRegistry`). */
export const PLUGIN_REGISTRY_TOKEN = `${PACKAGE_NAME}:index:PluginRegistry`;
/**
 * The schema's namespace. Stated, because since Pulumi 3.159 a package added from git without one is namespaced by
 * the repository's owner (`setSpecNamespace` in pulumi/pkg/cmd/pulumi/packages), which would change the generated
 * package names with every fork. `pulumi package add` writes the SDK to `sdks/dify-dify-plugin-registry`.
 */
export const PACKAGE_NAMESPACE = "dify";
/** The repository (package.json's `repository`, without `git+` and `.git`; a test holds the two together). */
export const REPOSITORY = "https://github.com/OWNER/dify-plugin-registry";
/**
 * The generated SDKs' package and module names: the ones README.md and the examples use. `respectSchemaVersion`: the
 * Python and Go SDKs carry the schema's version (else Python's is 0.0.0), so the component and the resources the
 * provider creates under it (stated at the package version) ask the engine for one provider, not two.
 */
export const LANGUAGE_NAMES = {
    nodejs: { packageName: PACKAGE_NAME },
    python: { packageName: "pulumi_dify_plugin_registry", respectSchemaVersion: true },
    go: { importBasePath: `${REPOSITORY.replace(/^https:\/\//, "")}/sdk/go/difypluginregistry`, respectSchemaVersion: true },
    csharp: { rootNamespace: "Dify" },
    java: { basePackage: "com.dify" },
} as const;

/** A Pulumi schema property or type reference (the subset this package uses). */
export interface PropertySpec {
    type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
    $ref?: string;
    items?: PropertySpec;
    additionalProperties?: PropertySpec;
    description?: string;
    secret?: boolean;
    plain?: boolean;
}

/** A Pulumi schema object type. */
export interface ObjectTypeSpec {
    type: "object";
    description?: string;
    properties: Record<string, PropertySpec>;
    required?: string[];
}

/** A Pulumi schema enum type (a closed set of strings). */
export interface EnumTypeSpec {
    type: "string";
    description?: string;
    enum: { value: string; name?: string }[];
}

/** A schema type: an object or an enum. */
export type TypeSpec = ObjectTypeSpec | EnumTypeSpec;

const ANY: PropertySpec = { $ref: "pulumi.json#/Any" };
const DOCS = argsDocsJson as ArgsDocs;

/**
 * Descriptions of the few schema properties the TypeScript API has no TSDoc for: `pushCheck.enabled` (TypeScript's
 * `pushCheck: boolean`) and members of inline object types. `test/provider.schema.test.ts` fails when one of these
 * members gets a TSDoc (it is then the description) or another one lacks it.
 */
export const PROVIDER_DESCRIPTIONS: Readonly<Record<string, string>> = {
    "pushCheck.enabled":
        "`false`: no check (TypeScript's `pushCheck: false`). Default: the kind's default (on, except ECR with irsa / podIdentity).",
    "ecr.serviceAccounts.build": "`customServiceAccount`: the ServiceAccount of plugin build pods. Default `dify-plugin-build`.",
    "ecr.serviceAccounts.runner": "`runnerServiceAccount`: the ServiceAccount of plugin runner pods. Default `dify-plugin-runner`.",
    "pluginConnector.mirrorImages.registries.*.insecure": "The registry speaks plain HTTP.",
    "pluginConnector.mirrorImages.registries.*.caFile": "A PEM file with an extra CA the registry's certificate is signed by.",
};

/** Schema type names other than `<Parent><Key>` (kept as the SDKs have named them). */
const TYPE_NAMES: Readonly<Record<string, string>> = {
    PluginConnectorImages: "HelperImages",
    PluginConnectorPython: "Python",
    PluginConnectorMirrorImages: "MirrorImages",
    MirrorImagesRegistriesValue: "MirrorRegistry",
    PluginConnectorServiceAccounts: "ServiceAccountNames",
    EcrRegistryImageRepoType: "ImageRepoType",
};

/** `dify-plugin-registry:index:<name>`. */
export function typeToken(name: string): string {
    return `${PACKAGE_NAME}:index:${name}`;
}

/** The type name of each registry block; a kind without an entry gets `<Type>Registry`. */
const REGISTRY_TYPE_NAMES: Readonly<Record<string, string>> = { dockerhub: "DockerHubRegistry" };

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The registry block names, one per registry kind, in the kinds' order: `docker`, `dockerhub`, `ecr`, … */
export function registryBlockNames(): string[] {
    return allRegistryKinds().map((k) => k.type);
}

/** The schema type name of the block of registry kind `type`. */
export function registryTypeName(type: string): string {
    return REGISTRY_TYPE_NAMES[type] ?? `${pascal(type)}Registry`;
}

/** The TSDoc-derived entry of a schema path (`chart.kind`); a path with no description at all is a bug here. */
function docAt(path: string): MemberDoc & { description: string } {
    const doc = DOCS.inputs[path] ?? {};
    const description = doc.description ?? PROVIDER_DESCRIPTIONS[path];
    if (description === undefined) {
        throw new Error(`provider/schema: no TSDoc for ${path} (document the TypeScript member, then npx tsx provider/argsDocs.ts)`);
    }
    return { ...doc, description };
}

/** An enum value's name when its value is no identifier (`external-secrets.io/v1` → `ExternalSecretsIoV1`). */
function enumValue(value: string): { value: string; name?: string } {
    return /^[A-Za-z][A-Za-z0-9]*$/.test(value)
        ? { value }
        : {
              value,
              name: value
                  .split(/[^A-Za-z0-9]+/)
                  .filter(Boolean)
                  .map(pascal)
                  .join(""),
          };
}

/** Builds the types of one package schema. */
class SchemaBuilder {
    readonly types: Record<string, TypeSpec> = {};

    constructor(private readonly secretPaths: ReadonlySet<string>) {}

    ref(name: string): string {
        return `#/types/${typeToken(name)}`;
    }

    /** The enum type `name` with `values`; the same name twice must mean the same set. */
    enumType(name: string, values: readonly string[], description: string): PropertySpec {
        const token = typeToken(name);
        const existing = this.types[token];
        if (existing && JSON.stringify((existing as EnumTypeSpec).enum?.map((v) => v.value)) !== JSON.stringify(values)) {
            throw new Error(`provider/schema: enum ${name} stated twice with different values`);
        }
        this.types[token] = existing ?? { type: "string", description, enum: values.map(enumValue) };
        return { $ref: this.ref(name) };
    }

    /** A zod object shape as an object type `typeName` at the docs path `path`. */
    objectType(typeName: string, path: string, shape: Record<string, z.ZodType>, description: string): PropertySpec {
        const properties: Record<string, PropertySpec> = {};
        const required: string[] = [];
        for (const [key, field] of Object.entries(shape)) {
            if (key === "type") {
                continue; // the block's name selects the kind
            }
            const property = this.field(`${typeName}${pascal(key)}`, `${path}.${key}`, field);
            if (!property) {
                continue;
            }
            properties[key] = property;
            if (!isOptional(field)) {
                required.push(key);
            }
        }
        this.types[typeToken(typeName)] = { type: "object", description, properties, ...(required.length ? { required } : {}) };
        return { $ref: this.ref(typeName) };
    }

    /**
     * One argument: its type, description and closed set from the TypeScript API, `plain` unless the TypeScript type
     * takes an Output there (zod `input(…)`), `secret` for credentials. `z.unknown()` fields are left out: a kind
     * accepts them only to explain why they do not apply (dockerhub's `insecure`).
     */
    field(typeName: string, path: string, field: z.ZodType): PropertySpec | undefined {
        const inner = unwrapOptional(field);
        if (["unknown", "custom"].includes(defOf(inner).type)) {
            return undefined;
        }
        const doc = docAt(path);
        const eventual = acceptsOutput(inner);
        const name = TYPE_NAMES[typeName] ?? typeName;
        let spec: PropertySpec | undefined;
        if (doc.enum) {
            spec = this.enumType(name, doc.enum, doc.description);
        } else {
            spec = this.fromZod(name, path, inner, doc.typeDescription ?? doc.description);
        }
        if (!spec) {
            return undefined;
        }
        return {
            ...spec,
            description: doc.description,
            ...(eventual ? {} : { plain: true }),
            ...(this.secretPaths.has(path) ? { secret: true } : {}),
        };
    }

    private fromZod(typeName: string, path: string, schema: z.ZodType, description: string): PropertySpec | undefined {
        const def = defOf(schema);
        switch (def.type) {
            case "string":
                return { type: "string" };
            case "literal":
                return { type: typeof (def.values as unknown[])[0] === "boolean" ? "boolean" : "string" };
            case "number":
                return { type: "integer" }; // every number the component takes is a count
            case "boolean":
                return { type: "boolean" };
            case "nullable":
            case "optional":
                return this.fromZod(typeName, path, def.innerType as z.ZodType, description);
            case "array":
                return {
                    type: "array",
                    items: this.fromZod(`${typeName}Item`, `${path}.[]`, def.element as z.ZodType, description) ?? ANY,
                };
            case "record": {
                const value = this.fromZod(
                    TYPE_NAMES[`${typeName}Value`] ?? `${typeName}Value`,
                    `${path}.*`,
                    def.valueType as z.ZodType,
                    description,
                );
                return { type: "object", additionalProperties: value ?? ANY };
            }
            case "object": {
                const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
                return this.objectType(typeName, path, shape, DOCS.inputs[path]?.typeDescription ?? description);
            }
            case "union": {
                // input(schema) in components/schema.ts: the schema, or an Output of it (Outputs are every SDK's business).
                const options = (def.options as z.ZodType[]).filter((o) => defOf(o).type !== "custom");
                return options.length === 1 ? this.fromZod(typeName, path, options[0], description) : ANY;
            }
            case "custom":
            case "unknown":
                return undefined;
            default:
                throw new Error(`provider/schema: no schema type for zod "${def.type}" (${typeName})`);
        }
    }
}

function isOptional(field: z.ZodType): boolean {
    return ["optional", "nullable", "default"].includes(defOf(field).type);
}

function unwrapOptional(field: z.ZodType): z.ZodType {
    let inner = field;
    while (isOptional(inner)) {
        inner = defOf(inner).innerType as z.ZodType;
    }
    return inner;
}

/** `input(schema)`: a union with an Output / Promise (a zod `custom`) among its options. */
function acceptsOutput(schema: z.ZodType): boolean {
    const def = defOf(schema);
    return def.type === "union" && (def.options as z.ZodType[]).some((o) => defOf(o).type === "custom");
}

const defOf = (schema: z.ZodType) => (schema as unknown as { def: { type: string } & Record<string, unknown> }).def;

/** The served resources' object types; a name the component's types already use would be a bug here. */
function servedTypes(componentTypes: Readonly<Record<string, TypeSpec>>): Record<string, TypeSpec> {
    const types = Object.fromEntries(Object.entries(SERVED_RESOURCE_TYPES).map(([name, spec]) => [typeToken(name), spec]));
    for (const token of Object.keys(types)) {
        if (componentTypes[token]) throw new Error(`provider/schema: ${token} is both a component type and a served resource's`);
    }
    return types;
}

/** The whole package schema (`GetSchema` returns it as JSON). */
export function packageSchema(version: string): Record<string, unknown> {
    const kinds = allRegistryKinds();
    const secretPaths = new Set([
        ...kinds.flatMap((kind) => kind.secretKeys.map((key) => `${kind.type}.${key}`)),
        "pluginConnector.mirrorImages.auth",
        "pushCheck.auth",
        "chart.password",
        "chart.auth",
    ]);
    const builder = new SchemaBuilder(secretPaths);
    const inputProperties: Record<string, PropertySpec> = {};
    for (const [key, field] of Object.entries<z.ZodType>(argsSchema.pluginRegistryArgsSchema.shape)) {
        if (key === "registry") {
            // One block per kind, exactly one set: the block selects the kind, so it is plain.
            for (const kind of kinds) {
                const doc = docAt(kind.type);
                const name = registryTypeName(kind.type);
                builder.objectType(
                    name,
                    kind.type,
                    kind.configSchema.shape as unknown as Record<string, z.ZodType>,
                    doc.typeDescription ?? doc.description,
                );
                inputProperties[kind.type] = { $ref: builder.ref(name), description: doc.description, plain: true };
            }
        } else if (key === "pushCheck") {
            // TypeScript's `boolean | { auth, caFile }` as one object: `enabled` is the boolean.
            const doc = docAt(key);
            const shape = { enabled: z.boolean().optional(), ...argsSchema.pushCheckArgsSchema.shape };
            builder.objectType("PushCheck", key, shape as unknown as Record<string, z.ZodType>, doc.description);
            inputProperties[key] = { $ref: builder.ref("PushCheck"), description: doc.description, plain: true };
        } else {
            inputProperties[key] = builder.field(pascal(key), key, field)!;
        }
    }
    const imageRepoType = builder.types[typeToken("ImageRepoType")] as EnumTypeSpec;
    const output = (name: string, spec: PropertySpec): PropertySpec => {
        const description = DOCS.outputs[name]?.description;
        if (description === undefined) {
            throw new Error(`provider/schema: no TSDoc for the output ${name}`);
        }
        return { ...spec, description };
    };
    const anyMap: PropertySpec = { type: "object", additionalProperties: ANY };
    return {
        name: PACKAGE_NAME,
        namespace: PACKAGE_NAMESPACE,
        displayName: "Dify plugin registry",
        version,
        description:
            "The plugin image registry of Dify Enterprise on Kubernetes: image-repo-secret, the Dify chart's plugin_connector, and the registry itself.",
        keywords: ["dify", "kubernetes", "helm", "container-registry", "category/utility", "kind/component"],
        license: "Apache-2.0",
        homepage: REPOSITORY,
        repository: REPOSITORY,
        publisher: REPOSITORY.split("/")[3],
        language: LANGUAGE_NAMES,
        resources: {
            [PLUGIN_REGISTRY_TOKEN]: {
                isComponent: true,
                description:
                    "Gives Dify Enterprise its plugin image registry: provisions the chosen registry, writes `image-repo-secret` and deploys the Dify chart with the `plugin_connector` keys it owns. Set exactly one registry block (`docker`, `dockerhub`, `ecr`, `acr`, `aliyun`, `tcr`).",
                inputProperties,
                requiredInputs: ["chart"],
                properties: {
                    namespace: output("namespace", { type: "string" }),
                    secretName: output("secretName", { type: "string" }),
                    imageRepoPrefix: output("imageRepoPrefix", { type: "string" }),
                    imageRepoType: output("imageRepoType", imageRepoType ? { $ref: builder.ref("ImageRepoType") } : { type: "string" }),
                    pluginConnectorValues: output("pluginConnectorValues", anyMap),
                    registryOutputs: output("registryOutputs", anyMap),
                },
                required: ["namespace", "secretName", "imageRepoPrefix", "imageRepoType", "pluginConnectorValues", "registryOutputs"],
            },
            // The custom resources the component creates under this provider (provider/customResources.ts).
            ...servedResourceSchemas((name) => builder.ref(name)),
        },
        types: { ...builder.types, ...servedTypes(builder.types) },
    };
}
