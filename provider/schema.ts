/**
 * The Pulumi package schema of the multi-language face: what `pulumi package add` turns into SDKs for Python, Go, C#,
 * Java and the type checks of Pulumi YAML. Registry blocks are derived from each kind's own config shape and
 * `secretKeys`, so a kind, an option or a credential added in `components/registries/` appears here without a second
 * list; the rest of the arguments are stated here, in the same words as `components/args.ts`.
 */
import type { z } from "zod";
import { allRegistryKinds } from "../components/registries";

/** The package name: the repository's and npm's. Every token of the schema starts with it. */
export const PACKAGE_NAME = "dify-plugin-registry";
/** The token users see in every language (the TypeScript class alone registers as `dify:index:PluginRegistry`). */
export const PLUGIN_REGISTRY_TOKEN = `${PACKAGE_NAME}:index:PluginRegistry`;

/** A Pulumi schema property or type reference (the subset this package uses). */
export interface PropertySpec {
    type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
    $ref?: string;
    items?: PropertySpec;
    additionalProperties?: PropertySpec;
    description?: string;
    secret?: boolean;
}

/** A Pulumi schema object type. */
export interface ObjectTypeSpec {
    type: "object";
    description?: string;
    properties: Record<string, PropertySpec>;
    required?: string[];
}

const ANY: PropertySpec = { $ref: "pulumi.json#/Any" };
const str = (description: string): PropertySpec => ({ type: "string", description });
const bool = (description: string): PropertySpec => ({ type: "boolean", description });
const int = (description: string): PropertySpec => ({ type: "integer", description });
const stringMap = (description: string): PropertySpec => ({ type: "object", additionalProperties: { type: "string" }, description });
const anyMap = (description: string): PropertySpec => ({ type: "object", additionalProperties: ANY, description });
const ref = (typeName: string, description: string): PropertySpec => ({ $ref: `#/types/${typeToken(typeName)}`, description });

/** `dify-plugin-registry:index:<name>`. */
export function typeToken(name: string): string {
    return `${PACKAGE_NAME}:index:${name}`;
}

/** The type name of each registry block; a kind without an entry gets `<Type>Registry`. */
const REGISTRY_TYPE_NAMES: Readonly<Record<string, string>> = { dockerhub: "DockerHubRegistry" };
/** One line per block for the generated SDKs' docs; the options are documented on the kind's docs page. */
const REGISTRY_DESCRIPTIONS: Readonly<Record<string, string>> = {
    docker: "Any Docker-compatible registry reached with a username and password (Harbor, GHCR, Quay, GitLab, Nexus, registry:2).",
    dockerhub: "Docker Hub, with an access token that can push.",
    ecr: "AWS ECR: repository creation template, and IRSA, EKS Pod Identity or a refreshed access-key login.",
    acr: "Azure Container Registry, new or existing, pushed to by a service principal holding AcrPush on it alone.",
    aliyun: "Alibaba Cloud Container Registry, Enterprise or Personal Edition.",
    tcr: "Tencent Container Registry Enterprise: a namespace and a long-term instance token, or an existing login.",
};

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The registry block names, one per registry kind, in the kinds' order: `docker`, `dockerhub`, `ecr`, … */
export function registryBlockNames(): string[] {
    return allRegistryKinds().map((k) => k.type);
}

/** The schema type name of the block of registry kind `type`. */
export function registryTypeName(type: string): string {
    return REGISTRY_TYPE_NAMES[type] ?? `${pascal(type)}Registry`;
}

/**
 * A zod shape as schema properties; nested objects become types of their own named `<parent><Key>`. `z.unknown()`
 * fields are left out: a kind accepts them only to explain why they do not apply (dockerhub's `insecure`).
 */
function fromZodShape(
    typeName: string,
    shape: Record<string, z.ZodType>,
    secretKeys: readonly string[],
    description: string,
    types: Record<string, ObjectTypeSpec>,
): ObjectTypeSpec {
    const properties: Record<string, PropertySpec> = {};
    const required: string[] = [];
    for (const [key, field] of Object.entries(shape)) {
        if (key === "type") {
            continue; // the block's name selects the kind
        }
        const { inner, optional } = unwrapOptional(field);
        const property = fromZod(`${typeName}${pascal(key)}`, inner, types);
        if (!property) {
            continue;
        }
        properties[key] = secretKeys.includes(key) ? { ...property, secret: true } : property;
        if (!optional) {
            required.push(key);
        }
    }
    return { type: "object", description, properties, ...(required.length ? { required } : {}) };
}

function unwrapOptional(field: z.ZodType): { inner: z.ZodType; optional: boolean } {
    let optional = false;
    let inner = field;
    while (["optional", "nullable", "default"].includes(defOf(inner).type)) {
        optional = true;
        inner = defOf(inner).innerType as z.ZodType;
    }
    return { inner, optional };
}

const defOf = (schema: z.ZodType) => (schema as unknown as { def: { type: string } & Record<string, unknown> }).def;

function fromZod(typeName: string, schema: z.ZodType, types: Record<string, ObjectTypeSpec>): PropertySpec | undefined {
    const def = defOf(schema);
    switch (def.type) {
        case "string":
        case "enum":
            return { type: "string" };
        case "literal":
            return { type: typeof (def.values as unknown[])[0] === "boolean" ? "boolean" : "string" };
        case "number":
            return { type: "number" };
        case "boolean":
            return { type: "boolean" };
        case "array":
            return { type: "array", items: fromZod(`${typeName}Item`, def.element as z.ZodType, types) ?? ANY };
        case "record":
            return { type: "object", additionalProperties: fromZod(`${typeName}Value`, def.valueType as z.ZodType, types) ?? ANY };
        case "object": {
            const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
            types[typeToken(typeName)] = fromZodShape(typeName, shape, [], `\`${typeName}\``, types);
            return { $ref: `#/types/${typeToken(typeName)}` };
        }
        case "union": {
            // input(schema) in components/schema.ts: the schema, or an Output of it (Outputs are every SDK's business).
            const options = (def.options as z.ZodType[]).filter((o) => defOf(o).type !== "custom");
            return options.length === 1 ? fromZod(typeName, options[0], types) : ANY;
        }
        case "custom":
        case "unknown":
            return undefined;
        default:
            throw new Error(`provider/schema: no schema type for zod "${def.type}" (${typeName})`);
    }
}

function chartTypes(): Record<string, ObjectTypeSpec> {
    return {
        [typeToken("Chart")]: {
            type: "object",
            description: "The Dify chart and how it is deployed.",
            properties: {
                version: str("Chart version, pinned (semver, no ranges): `3.9.1`."),
                repository: str("Helm repository. Default `https://langgenius.github.io/dify-helm`."),
                chart: str("Chart name in the repository. Default `dify`."),
                releaseName: str("Helm release name. Default `dify`."),
                kind: str("`chart` (default, kubernetes.helm.v4.Chart) or `release` (kubernetes.helm.v3.Release)."),
                values: anyMap("Any other chart values, deep-merged under the component's."),
                defaultValues: {
                    ...ANY,
                    description:
                        "This chart version's own default values: YAML text as `helm show values dify/dify --version <version>` prints it, or that document parsed.",
                },
                secretValues: bool(
                    "Treat `values` as one secret: the chart's values, the image mirror's plan and `pluginConnectorValues` are registered as secrets. Default false.",
                ),
                skipAwait: bool("Do not wait for the chart's workloads to become ready. Default false."),
                timeout: int("`kind: release` only: seconds Helm waits for the release."),
            },
            required: ["version"],
        },
        [typeToken("PluginConnector")]: {
            type: "object",
            description: "Settings of Dify's plugin connector beyond the registry.",
            properties: {
                nodeSelector: stringMap("Node labels plugin pods must run on."),
                affinity: { ...ANY, description: "Affinity of plugin pods (a Kubernetes core/v1 Affinity)." },
                tolerations: { type: "array", items: ANY, description: "Tolerations of plugin pods (Kubernetes core/v1 Tolerations)." },
                labels: stringMap("Extra labels on plugin pods."),
                images: ref("HelperImages", "Helper image overrides: each one sets its own key only."),
                python: ref("Python", "The python generator (`generatorConf`)."),
                imageMirror: str("Restricted networks: one `registry/prefix` every helper image and python build base is pulled from."),
                mirrorImages: ref("MirrorImages", "With `imageMirror`: copy the images into it during `pulumi up` and pin them by digest."),
                serviceAccounts: ref("ServiceAccountNames", "ServiceAccounts you created yourself."),
            },
        },
        [typeToken("HelperImages")]: {
            type: "object",
            description: "Helper image overrides; unset ones stay the chart's.",
            properties: {
                gateway: str("`gatewayImage`: the nginx in front of each plugin runner."),
                shader: str("`shaderImage`: the kaniko executor that builds plugin images."),
                busyBox: str("`busyBoxImage`: init containers."),
                awsCli: str("`awsCliImage`."),
            },
        },
        [typeToken("Python")]: {
            type: "object",
            description: "The python generator (`generatorConf`).",
            properties: {
                pipMirror: str("pip index mirror used while building plugins."),
                preCompile: bool("Byte-compile plugin code at build time. Default the chart's (true)."),
                versions: stringMap('Build base images by python version (`"3.12": "<image>"`), merged over the version\'s defaults.'),
            },
        },
        [typeToken("MirrorImages")]: {
            type: "object",
            description: "Fill `imageMirror` during `pulumi up` and pin every helper image and python build base by digest.",
            properties: {
                auth: {
                    ...str("Docker config JSON with a login that can push to the mirror. Default: the plugin registry's login."),
                    secret: true,
                },
                platforms: { type: "array", items: { type: "string" }, description: "`os/arch[/variant]` to keep (`linux/amd64`)." },
                chartValues: anyMap("The chart's own values: every `<block>.image` they name is mirrored too."),
                concurrency: int("Transfers at once. Default 16."),
                registries: {
                    type: "object",
                    additionalProperties: { $ref: `#/types/${typeToken("MirrorRegistry")}` },
                    description: "Per registry host: `insecure: true` for plain HTTP, or `caFile` for an extra CA.",
                },
            },
        },
        [typeToken("MirrorRegistry")]: {
            type: "object",
            description: "How to reach one registry host.",
            properties: { insecure: bool("Plain HTTP."), caFile: str("An extra CA certificate file (PEM).") },
        },
        [typeToken("PushCheck")]: {
            type: "object",
            description:
                "The registry push check during `pulumi up` (TypeScript's `pushCheck: boolean | { auth, caFile }`): `enabled: false` turns it off; `auth` / `caFile` set it up.",
            properties: {
                enabled: bool(
                    "`false`: no check (TypeScript's `pushCheck: false`). Default: the kind's default (on, except ECR with irsa / podIdentity).",
                ),
                auth: {
                    ...str("Docker config JSON with the login to check. Default: the login written to `image-repo-secret`."),
                    secret: true,
                },
                caFile: str("A PEM file with the CA the registry's certificate is signed by, read when the check runs."),
            },
        },
        [typeToken("ServiceAccountNames")]: {
            type: "object",
            description: "Build and runner ServiceAccounts that already exist in the namespace.",
            properties: {
                build: str("`customServiceAccount`: plugin build (kaniko) pods."),
                runner: str("`runnerServiceAccount`: plugin runner pods."),
            },
        },
    };
}

/** The whole package schema (`GetSchema` returns it as JSON). */
export function packageSchema(version: string): Record<string, unknown> {
    const types: Record<string, ObjectTypeSpec> = chartTypes();
    const registryInputs: Record<string, PropertySpec> = {};
    for (const kind of allRegistryKinds()) {
        const name = registryTypeName(kind.type);
        const description = `${REGISTRY_DESCRIPTIONS[kind.type] ?? kind.type} Options as in docs/${kind.type}.md.`;
        types[typeToken(name)] = fromZodShape(
            name,
            kind.configSchema.shape as unknown as Record<string, z.ZodType>,
            kind.secretKeys,
            description,
            types,
        );
        registryInputs[kind.type] = ref(name, `${description} Set exactly one registry block.`);
    }
    return {
        name: PACKAGE_NAME,
        displayName: "Dify plugin registry",
        version,
        description:
            "The plugin image registry of Dify Enterprise on Kubernetes: image-repo-secret, the Dify chart's plugin_connector, and the registry itself.",
        keywords: ["dify", "kubernetes", "helm", "container-registry", "category/utility", "kind/component"],
        license: "Apache-2.0",
        resources: {
            [PLUGIN_REGISTRY_TOKEN]: {
                isComponent: true,
                description:
                    "Gives Dify Enterprise its plugin image registry: provisions the chosen registry, writes `image-repo-secret` and deploys the Dify chart with the `plugin_connector` keys it owns. Set exactly one registry block (`docker`, `dockerhub`, `ecr`, `acr`, `aliyun`, `tcr`).",
                inputProperties: {
                    namespace: str("Namespace of the Dify release and `image-repo-secret`. Default `dify`."),
                    createNamespace: bool("Create the namespace. Default true; false when it exists already."),
                    ...registryInputs,
                    chart: ref("Chart", "The Dify chart."),
                    pluginConnector: ref("PluginConnector", "Plugin connector settings."),
                    pushCheck: ref("PushCheck", "Prove during `pulumi up` that the registry takes plugin images before Dify is deployed."),
                },
                requiredInputs: ["chart"],
                properties: {
                    namespace: str("Namespace of the release and the Secret."),
                    secretName: str("Always `image-repo-secret`."),
                    imageRepoPrefix: str("`plugin_connector.imageRepoPrefix`."),
                    imageRepoType: str("`plugin_connector.imageRepoType`: `docker` or `ecr`."),
                    pluginConnectorValues: anyMap("The `plugin_connector` block as passed to the chart. Holds no credentials."),
                    registryOutputs: anyMap(
                        "Outputs specific to the registry kind (role ARNs for ECR, the login server for ACR). No secrets.",
                    ),
                },
                required: ["namespace", "secretName", "imageRepoPrefix", "imageRepoType", "pluginConnectorValues", "registryOutputs"],
            },
        },
        types,
    };
}
