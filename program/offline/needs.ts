/**
 * What `pulumi up` needs beyond what synth evaluated: logins and cloud credentials per registry kind, placeholders in
 * the stack file that must be replaced, and what the deploying machine must reach. Printed at the end of
 * `npm run synth`, so a user learns it before the first `pulumi up` fails on it.
 */
import { PROJECT } from "../config";
import type { RecordedResource } from "./recorder";
import type { OfflineStackConfig } from "./stackFile";

/** The closing block of the synth report. */
export interface UpNeeds {
    /** Logins, credentials and the environment variables or config keys that carry them. */
    readonly credentials: readonly string[];
    /** Values in the stack file that are examples, not yours: `<key>: <why>`. */
    readonly replace: readonly string[];
    /** What the machine running `pulumi up` must reach. */
    readonly reach: readonly string[];
}

/** The login each registry kind needs, beyond Pulumi's and the cluster's (docs/<kind>.md says more). */
const KIND_CREDENTIALS: Readonly<
    Record<string, (registry: Record<string, unknown>, config: Readonly<Record<string, string>>) => string[]>
> = {
    docker: () => ["the registry's login in registry.username and registry.password (a robot account that may push under the prefix)"],
    dockerhub: () => ["a Docker Hub access token with Read & Write scope in registry.token (secret), of registry.username"],
    ecr: (registry, config) => {
        const mode = (registry.auth as { mode?: string } | undefined)?.mode ?? "irsa";
        return [
            "AWS credentials for the aws provider: AWS_PROFILE (after `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID + " +
                "AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); allowed to create IAM roles and role policies and the ECR repository " +
                `creation template${mode === "accessKey" ? ", an IAM user and its access key" : ""} (docs/ecr.md)`,
            ...(config["aws:region"] === undefined ? ["the AWS region: aws:region in the stack config, or AWS_REGION"] : []),
        ];
    },
    acr: () => [
        "Azure credentials for azure-native and azuread: `az login`, or ARM_CLIENT_ID + ARM_CLIENT_SECRET + ARM_TENANT_ID; " +
            "allowed to create the registry (or read yours), an Entra ID application with a password, and a role assignment " +
            "on the registry (Owner or User Access Administrator there) (docs/acr.md)",
    ],
    aliyun: (_registry, config) => [
        "Alibaba Cloud credentials for the alicloud provider: ALICLOUD_ACCESS_KEY + ALICLOUD_SECRET_KEY (or alicloud:accessKey / " +
            "alicloud:secretKey), of a RAM user allowed to manage Container Registry namespaces (docs/aliyun.md)",
        ...(config["alicloud:region"] === undefined
            ? ["the Alibaba Cloud region: alicloud:region in the stack config, or ALICLOUD_REGION"]
            : []),
        "the registry login in registry.username and registry.password (secret)",
    ],
    tcr: () => [
        "Tencent Cloud API credentials: registry.secretId + registry.secretKey (secret), or TENCENTCLOUD_SECRET_ID + " +
            "TENCENTCLOUD_SECRET_KEY, of a CAM user allowed to manage the instance's namespaces and access tokens (docs/tcr.md)",
    ],
};

/** The registry types this table knows (a test holds it against the component's kinds). */
export const KINDS_WITH_NEEDS: readonly string[] = Object.keys(KIND_CREDENTIALS);

/** Texts that mark a documentation value, and what to say about them. */
const PLACEHOLDERS: readonly { readonly pattern: RegExp; readonly why: string }[] = [
    { pattern: /\b123456789012\b/, why: "123456789012 is AWS's documentation account ID" },
    { pattern: /\b0{8}-0{4}-0{4}-0{4}-0{12}\b/, why: "an all-zero ID (an Azure subscription or tenant) is a placeholder" },
    { pattern: /1234567890/, why: "sequential digits: a placeholder account ID" },
    { pattern: /example/i, why: 'an "example" value (example.com and EXAMPLE ids are for documentation)' },
    { pattern: /<[^<>]+>|\bOWNER\b|REPLACE|changeme/i, why: "a placeholder to fill in" },
];

/** The ciphertext this repository's stack files hold where a secret goes (`replace with pulumi config set --secret`). */
const PLACEHOLDER_CIPHERTEXT = "cmVwbGFjZSB3aXRoIHB1bHVtaSBjb25maWcgc2V0IC0tc2VjcmV0";

/** What `pulumi up --stack <stack>` will need, from the stack file and what synth registered. */
export function upNeeds(stack: string, file: OfflineStackConfig, resources: readonly RecordedResource[]): UpNeeds {
    const own = (key: string) => parse(file.config[`${PROJECT}:${key}`]) as Record<string, unknown> | undefined;
    const registry = own("registry") ?? {};
    const kubernetes = own("kubernetes");
    const credentials = [
        "a Pulumi backend: `pulumi login` (Pulumi Cloud, or PULUMI_ACCESS_TOKEN), or `pulumi login --local` with " +
            `PULUMI_CONFIG_PASSPHRASE for the stack's secrets; then \`pulumi stack init ${stack}\``,
        kubernetes?.renderYamlToDirectory !== undefined
            ? `no cluster: every object is written as YAML into ${String(kubernetes.renderYamlToDirectory)}/ (kubernetes.renderYamlToDirectory)`
            : kubernetes?.kubeconfig !== undefined || kubernetes?.context !== undefined
              ? "access to the cluster named by kubernetes.kubeconfig / kubernetes.context"
              : "access to a cluster: the current context of KUBECONFIG or ~/.kube/config (or kubernetes.context in the stack config)",
        ...(KIND_CREDENTIALS[String(registry.type)]?.(registry, file.config) ?? []),
    ];
    for (const env of file.environments) {
        credentials.push(`the Pulumi ESC environment ${env} (not read offline): a Pulumi Cloud login that may open it`);
    }

    const replace: string[] = [];
    for (const [key, value] of Object.entries(file.raw ?? {})) {
        findPlaceholders(value, key, stack, replace);
    }

    const reach: string[] = [];
    const chart = resources.find((r) => r.type.startsWith("kubernetes:helm.sh/"));
    const repo = (chart?.inputs.repositoryOpts as { repo?: unknown } | undefined)?.repo;
    if (typeof repo === "string") {
        reach.push(`the chart repository ${repo} (chart ${String(chart?.inputs.chart)} ${String(chart?.inputs.version)})`);
    }
    const check = resources.find((r) => r.name.endsWith("-push-check"));
    if (check !== undefined) {
        const prefix = typeof check.inputs.prefix === "string" ? check.inputs.prefix : "the registry (its address is known after up)";
        reach.push(`${prefix}: the push check pushes and pulls a test image there during up (or dify-plugin-registry:pushCheck: false)`);
    }
    const mirror = own("pluginConnector")?.mirrorImages;
    if (mirror !== undefined) {
        reach.push("every source registry of the images pluginConnector.mirrorImages copies, and the mirror");
    }
    return { credentials, replace, reach };
}

function parse(text: string | undefined): unknown {
    if (text === undefined) return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** `<key path>: <why>` for every documentation value under `value`, secure placeholders included. */
function findPlaceholders(value: unknown, at: string, stack: string, out: string[]): void {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        const secure = (value as { secure?: unknown }).secure;
        if (Object.keys(value).length === 1 && typeof secure === "string") {
            if (secure.includes(PLACEHOLDER_CIPHERTEXT)) {
                const [namespace, ...path] = at.split(":");
                const key = path.join(":");
                out.push(
                    `${at}: the stack file's ciphertext is a placeholder, not a secret: pulumi config set --secret ` +
                        `${key.includes(".") ? "--path " : ""}${namespace === PROJECT ? key : at} <value> --stack ${stack}`,
                );
            }
            return;
        }
        for (const [k, v] of Object.entries(value)) findPlaceholders(v, `${at}.${k}`, stack, out);
    } else if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) findPlaceholders(v, `${at}[${i}]`, stack, out);
    } else if (typeof value === "string") {
        const hit = PLACEHOLDERS.find((p) => p.pattern.test(value));
        if (hit !== undefined) out.push(`${at}: ${JSON.stringify(value)}: ${hit.why}`);
    }
}
