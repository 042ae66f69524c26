/**
 * The schema of the custom resources the provider serves (`customResources.ts`): the push check, the image mirror and
 * the TCR namespace and token, as the component creates them under the provider. Their inputs and outputs are the
 * provider objects' (`components/resources/<name>/provider.ts`: `*Inputs`, `*Outputs`); the secret ones are marked.
 * A program does not create them itself: the component does.
 */
import { PACKAGE_RESOURCE_TOKENS } from "../components/resources/host";
import type { PropertySpec } from "./schema";

const str = (description: string, extra: Partial<PropertySpec> = {}): PropertySpec => ({ type: "string", description, ...extra });
const bool = (description: string): PropertySpec => ({ type: "boolean", description });
const int = (description: string): PropertySpec => ({ type: "integer", description });
const strings = (description: string): PropertySpec => ({ type: "array", items: { type: "string" }, description });

const CREATED_BY = "Created by `PluginRegistry` when the package's provider constructs it; not meant to be declared on its own.";

/** One resource: its description, inputs, outputs (the inputs' keys repeated where the state keeps them). */
interface ResourceSchema {
    readonly description: string;
    readonly inputProperties: Record<string, PropertySpec>;
    readonly requiredInputs: string[];
    readonly properties: Record<string, PropertySpec>;
    readonly required: string[];
}

const connection: Record<string, PropertySpec> = {
    instanceId: str("The TCR Enterprise instance: `tcr-dg284imq`."),
    region: str("Its region: `ap-guangzhou`."),
    apiEndpoint: str("`tcr.tencentcloudapi.com` when unset; `tcr.intl.tencentcloudapi.com` for international accounts."),
    secretId: str("API SecretId, kept (encrypted) in the state so that later runs can refresh and delete.", { secret: true }),
    secretKey: str("API SecretKey, likewise.", { secret: true }),
};

/** The `resources` entries of the served types, by token. */
export function servedResourceSchemas(typeRef: (name: string) => string): Record<string, ResourceSchema> {
    const mirrorPlanItem: PropertySpec = { $ref: typeRef("MirrorPlanItem") };
    const pushCheckInputs = {
        prefix: str("`host[:port]/path` plugin images are pushed under (`plugin_connector.imageRepoPrefix`)."),
        insecure: bool("Plain HTTP (`insecureImageRepo`)."),
        caFile: str("PEM file of an extra CA for the registry, read when the check runs."),
    };
    const mirrorInputs = {
        plan: { type: "array", items: mirrorPlanItem, description: "What to copy: each source image and its target." } as PropertySpec,
        platforms: strings("`os/arch[/variant]` to keep from indexes; default every platform (indexes copied byte for byte)."),
        concurrency: int("Transfers at once (blobs and manifest requests). Default 16."),
        registries: {
            type: "object",
            additionalProperties: { $ref: typeRef("MirrorRegistrySettings") },
            description: "Per registry host (`harbor.example.com`, `10.0.0.5:5000`): `insecure` (plain HTTP) or `caFile` (an extra CA).",
        } as PropertySpec,
        chart: { $ref: typeRef("ChartMirrorItem"), description: "A chart version to copy too, as a Helm OCI artifact." } as PropertySpec,
    };
    const namespaceInputs = { ...connection, namespace: str("The namespace: 2-30 lowercase letters, digits and single `.`, `_`, `-`.") };
    const tokenInputs = { ...connection, description: str("Shown in the TCR console; a new description means a new token.") };
    return {
        [PACKAGE_RESOURCE_TOKENS.pushCheck]: {
            description: `Proves on \`pulumi up\` that the login may push and pull under the prefix; re-runs when the login or prefix changes. ${CREATED_BY}`,
            inputProperties: {
                ...pushCheckInputs,
                auth: str("Docker config JSON with the login for the prefix's registry. Never an output.", { secret: true }),
                ecr: {
                    $ref: typeRef("EcrLogin"),
                    secret: true,
                    description: "ECR with an access key: the key, exchanged for a login when the check runs.",
                },
                settleMs: int("Milliseconds a refused login, push or pull is tried again (logins just created). Default 0."),
            },
            requiredInputs: ["prefix"],
            properties: {
                ...pushCheckInputs,
                loginHash: str("scrypt(login, salt), hex: tells a changed login without holding it.", { secret: true }),
                salt: str("The salt of `loginHash`.", { secret: true }),
                steps: strings("One line per step of the last check."),
                warnings: strings("What the last check found worth telling (an upload session it could not cancel)."),
            },
            required: ["prefix", "loginHash", "salt", "steps", "warnings"],
        },
        [PACKAGE_RESOURCE_TOKENS.imageMirror]: {
            description: `Copies images into a mirror on \`pulumi up\` and records each target's digest; delete leaves the images. ${CREATED_BY}`,
            inputProperties: {
                ...mirrorInputs,
                auth: str("Docker config JSON with the login for the mirror and any private source. Never an output.", { secret: true }),
            },
            requiredInputs: ["plan"],
            properties: {
                ...mirrorInputs,
                images: {
                    type: "array",
                    items: { $ref: typeRef("MirroredImage") },
                    description: "Every plan item with its target's digest.",
                },
                lastRun: { $ref: typeRef("MirrorRun"), description: "Totals of the last copy." },
                mirroredChart: { $ref: typeRef("MirroredChart"), description: "The chart, when `chart` was given." },
            },
            required: ["plan", "images", "lastRun"],
        },
        [PACKAGE_RESOURCE_TOKENS.tcrNamespace]: {
            description: `A namespace in an existing TCR instance, created private if missing (an existing one is adopted and never deleted). ${CREATED_BY}`,
            inputProperties: namespaceInputs,
            requiredInputs: ["instanceId", "region", "namespace"],
            properties: {
                ...namespaceInputs,
                domain: str("`<instance-name>.tencentcloudcr.com`, from DescribeInstances' `PublicDomain`."),
                instanceName: str("The instance's name."),
                created: bool("Whether this resource created the namespace (and so deletes it)."),
            },
            required: ["instanceId", "region", "namespace", "domain", "instanceName", "created"],
        },
        [PACKAGE_RESOURCE_TOKENS.tcrToken]: {
            description: `A long-term TCR instance access token: \`username\` + \`token\` are the docker login. ${CREATED_BY}`,
            inputProperties: tokenInputs,
            requiredInputs: ["instanceId", "region", "description"],
            properties: {
                ...tokenInputs,
                tokenId: str("The token's id."),
                username: str("The Tencent Cloud account (UIN) the token acts as."),
                token: str("The docker password.", { secret: true }),
                enabled: bool("Whether the token is enabled."),
            },
            required: ["instanceId", "region", "description", "tokenId", "username", "token", "enabled"],
        },
    };
}

/** The object types the served resources use, by name (`dify-plugin-registry:index:<name>`). */
export const SERVED_RESOURCE_TYPES: Record<
    string,
    { type: "object"; description: string; properties: Record<string, PropertySpec>; required?: string[] }
> = {
    MirrorPlanItem: {
        type: "object",
        description: "One image to copy.",
        properties: { source: str("The image to copy from."), target: str("Where it goes.") },
        required: ["source", "target"],
    },
    MirrorRegistrySettings: {
        type: "object",
        description: "How one registry is reached.",
        properties: { insecure: bool("Plain HTTP."), caFile: str("PEM file of an extra CA, read when the provider runs.") },
    },
    MirroredImage: {
        type: "object",
        description: "One mirrored image: pin it as `<target>@<digest>`.",
        properties: {
            source: str("The image copied."),
            target: str("Where it was copied to."),
            digest: str("The digest `target` points to."),
        },
        required: ["source", "target", "digest"],
    },
    ChartMirrorItem: {
        type: "object",
        description: "A chart version to copy from a Helm repository into an OCI registry.",
        properties: {
            repository: str("The Helm repository's URL (its index.yaml)."),
            chart: str("The chart's name in it."),
            version: str("The version, pinned."),
            target: str("Where it goes, without tag: `<registry>/<path>`."),
        },
        required: ["repository", "chart", "version", "target"],
    },
    MirroredChart: {
        type: "object",
        description: "The mirrored chart.",
        properties: {
            target: str("`<registry>/<path>:<tag>`."),
            digest: str("The manifest's digest."),
            chartDigest: str("The package's digest (the chart layer)."),
        },
        required: ["target", "digest", "chartDigest"],
    },
    MirrorRun: {
        type: "object",
        description: "Totals of a copy.",
        properties: { copied: int("Images copied."), skipped: int("Images already in place."), bytes: int("Bytes transferred.") },
        required: ["copied", "skipped", "bytes"],
    },
    EcrLogin: {
        type: "object",
        description: "An IAM access key, exchanged for an ECR login when the push check runs.",
        properties: {
            region: str("The registry's AWS region."),
            accessKeyId: str("The access key id."),
            secretAccessKey: str("The secret access key.", { secret: true }),
            endpoint: str("The ECR API endpoint; default `https://api.ecr.<region>.amazonaws.com`."),
            propagationTimeoutMs: int("How long a new key may be refused while IAM propagates it. Default 60 s."),
        },
        required: ["region", "accessKeyId", "secretAccessKey"],
    },
};
