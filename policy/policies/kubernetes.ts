import { ResourceValidationPolicy } from "@pulumi/policy";
import { parseImageReference } from "../../engines/oci/imageReference";

const SECRET_NAME = "image-repo-secret";
const REQUIRED_KEYS = [".dockerconfigjson", "config.json"];

/** image-repo-secret keeps its fixed name, its type and both keys (kubelet reads one, kaniko the other). */
export const imageRepoSecretShape: ResourceValidationPolicy = {
    name: "image-repo-secret-shape",
    description: `The ${SECRET_NAME} Secret keeps its fixed name, type kubernetes.io/dockerconfigjson and both ${REQUIRED_KEYS.join(" and ")} keys.`,
    validateResource: (args, report) => {
        if (args.type !== "kubernetes:core/v1:Secret") {
            return;
        }
        const metadata = (args.props.metadata ?? {}) as { name?: string };
        const isOurs = args.name.endsWith(`-${SECRET_NAME}`) || metadata.name === SECRET_NAME;
        if (!isOurs) {
            return;
        }
        if (metadata.name !== SECRET_NAME) {
            report(`Secret ${args.name} must be named "${SECRET_NAME}" (Dify reads that fixed name), not "${metadata.name}".`);
        }
        if (args.props.type !== "kubernetes.io/dockerconfigjson") {
            report(`${SECRET_NAME} must have type kubernetes.io/dockerconfigjson, not "${args.props.type}".`);
        }
        const keys = new Set([...Object.keys(args.props.data ?? {}), ...Object.keys(args.props.stringData ?? {})]);
        const missing = REQUIRED_KEYS.filter((k) => !keys.has(k));
        // A kind that keeps the Secret fresh itself (ECR access keys) may create it with placeholders, but never without keys.
        if (missing.length > 0) {
            report(`${SECRET_NAME} must hold both ${REQUIRED_KEYS.join(" and ")}; missing ${missing.join(", ")}.`);
        }
    },
};

const HELM_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"];

// Value shapes that are credentials whatever key holds them.
const CREDENTIAL_PATTERNS: readonly [string, RegExp][] = [
    ["an AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
    ["a Docker Hub access token", /\bdckr_pat_[A-Za-z0-9_-]{10,}/],
    ["a GitHub token", /\b(ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}/],
    ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    ["a docker config with logins", /"auths"\s*:\s*\{\s*"[^"]+"\s*:\s*\{\s*"auth"\s*:\s*"[A-Za-z0-9+/=]{4,}"/],
];
// Keys whose non-empty string value is a credential.
const CREDENTIAL_KEYS = /^(password|passwd|secretAccessKey|accessToken|token|clientSecret|apiKey)$/i;

/** Credentials belong in Secrets, not in Helm values (which land in plain text in state and in the release). */
export const noCredentialsInHelmValues: ResourceValidationPolicy = {
    name: "no-credentials-in-helm-values",
    description: "No credential-looking value appears in plain text in Helm values.",
    validateResource: (args, report) => {
        if (!HELM_TYPES.includes(args.type)) {
            return;
        }
        walk(args.props.values, "values", (path, key, value) => {
            if (CREDENTIAL_KEYS.test(key) && value.trim() !== "") {
                report(`${path} holds a credential in plain text; reference a Secret instead.`);
                return;
            }
            for (const [what, pattern] of CREDENTIAL_PATTERNS) {
                if (pattern.test(value)) {
                    report(`${path} contains ${what}; keep it in a Secret, not in Helm values.`);
                    return;
                }
            }
        });
    },
};

function walk(value: unknown, path: string, visit: (path: string, key: string, value: string) => void, key = ""): void {
    if (typeof value === "string") {
        visit(path, key, value);
    } else if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) {
            walk(v, `${path}[${i}]`, visit, key);
        }
    } else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            walk(v, `${path}.${k}`, visit, k);
        }
    }
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Advisory: a chart version range floats under the stack and changes the plugin_connector defaults unseen. */
export const chartVersionPinned: ResourceValidationPolicy = {
    name: "chart-version-pinned",
    description: "The Dify chart version is pinned to an exact version, not a range.",
    validateResource: (args, report) => {
        if (!HELM_TYPES.includes(args.type)) {
            return;
        }
        const version = args.props.version;
        if (typeof version !== "string" || !SEMVER.test(version)) {
            report(`chart version ${JSON.stringify(version)} is not pinned; use an exact version such as "3.9.1".`);
        }
    },
};

const HELPER_IMAGE_KEYS = ["gatewayImage", "shaderImage", "busyBoxImage", "awsCliImage"];
// Where the chart's default helper images come from; anything else is a mirror.
const UPSTREAM_REGISTRIES = ["docker.io", "gcr.io"];

/** Advisory: mirrored helper images should be pinned by digest, so the mirror cannot drift from what was reviewed. */
export const mirroredImagesPinned: ResourceValidationPolicy = {
    name: "mirrored-helper-images-pinned",
    description: "When helper images come from a mirror, they are pinned by digest (@sha256:…).",
    validateResource: (args, report) => {
        if (!HELM_TYPES.includes(args.type)) {
            return;
        }
        const connector = (args.props.values?.plugin_connector ?? {}) as Record<string, unknown>;
        for (const key of HELPER_IMAGE_KEYS) {
            const image = connector[key];
            if (typeof image !== "string") {
                continue;
            }
            const ref = parseImageReference(image);
            if (!UPSTREAM_REGISTRIES.includes(ref.domain) && ref.digest === undefined) {
                report(`plugin_connector.${key} "${image}" comes from a mirror but is not pinned by digest.`);
            }
        }
    },
};
