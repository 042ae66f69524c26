/**
 * The component's `pushCheck` argument: whether the registry push check runs during `pulumi up`, for which kinds by
 * default, and with which login. Pure (validation only; the resource is registered by `component.ts`).
 */
import type * as pulumi from "@pulumi/pulumi";

/** `pushCheck` as an object: the check is on, with these settings. */
export interface PushCheckArgs {
    /**
     * Docker config JSON (`{"auths":{"<registry>":{"auth":"base64(user:password)"}}}`) with the login to check. Secret.
     * Default: the login the component writes to `image-repo-secret` (for ECR with an access key: the push user's key).
     * Needed for ECR with `irsa` / `podIdentity`, where the deploying machine holds no login of the build pods.
     */
    readonly auth?: pulumi.Input<string>;
    /** A PEM file with the CA the registry's certificate is signed by (a private Harbor), read when the check runs. */
    readonly caFile?: string;
}

/** What the component registers for `pushCheck`, once validated. */
export interface PushCheckPlan {
    readonly auth?: pulumi.Input<string>;
    readonly caFile?: string;
    /**
     * How long a refused login or push is tried again: logins the component has just created (an ACR role assignment,
     * a TCR token, an IAM key) take a while to work everywhere. 0 for logins you bring: they fail at once.
     */
    readonly settleMs: number;
}

/** Where a problem is reported: `problems.add(path, reason)`. */
export interface ProblemSink {
    add(path: string, reason: string): void;
}

/** Why the check is off by default for ECR with IRSA or Pod Identity (docs/ecr.md says the same). */
export const WORKLOAD_IDENTITY_REASON =
    "build pods push with their ServiceAccount's IAM role, which the machine running pulumi up does not hold, and " +
    "image-repo-secret holds no login (only the ECR credential helper)";

// Logins the component creates, and how long they may take to be honoured (Azure RBAC propagation is minutes).
const SETTLE_MS: Readonly<Record<string, number>> = { acr: 300_000, tcr: 60_000, aliyun: 60_000, ecr: 60_000 };

/**
 * Validates `pushCheck` for a registry; undefined when the check is off. On by default for every kind whose login the
 * deploying machine holds (docker, dockerhub, acr, aliyun, tcr, ecr with `auth.mode: accessKey`).
 */
export function planPushCheck(
    value: boolean | PushCheckArgs | undefined,
    registry: { readonly type?: string; readonly auth?: { readonly mode?: string } } | undefined,
    problems: ProblemSink,
): PushCheckPlan | undefined {
    // The shape (boolean or { auth, caFile }, no other key) is checked with the other arguments (argsSchema.ts).
    if (value === false) return undefined;
    const settings = typeof value === "object" && value !== null ? value : {};
    if (settings.caFile !== undefined && (typeof settings.caFile !== "string" || settings.caFile.trim() === "")) {
        problems.add("pushCheck.caFile", "must be the path of a PEM file");
    }
    if (settings.auth !== undefined && typeof settings.auth === "string" && !isDockerConfig(settings.auth)) {
        // The value is secret: say what is wrong, never what it is.
        problems.add("pushCheck.auth", 'must be docker config JSON: {"auths":{"<registry>":{"auth":"…"}}}');
    }
    const workloadIdentity = registry?.type === "ecr" && (registry.auth?.mode ?? "irsa") !== "accessKey";
    if (workloadIdentity && settings.auth === undefined) {
        if (value === undefined) return undefined;
        problems.add(
            "pushCheck",
            `ECR with auth.mode ${registry?.auth?.mode ?? "irsa"} has no login to check: ${WORKLOAD_IDENTITY_REASON}; ` +
                "give pushCheck.auth (a docker config with a login for the registry) or leave pushCheck off",
        );
        return undefined;
    }
    return {
        ...(settings.auth !== undefined ? { auth: settings.auth } : {}),
        ...(settings.caFile !== undefined ? { caFile: settings.caFile } : {}),
        // A login you give is yours: no waiting for it.
        settleMs: settings.auth !== undefined ? 0 : (SETTLE_MS[registry?.type ?? ""] ?? 0),
    };
}

function isDockerConfig(text: string): boolean {
    try {
        const parsed = JSON.parse(text);
        return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
    } catch {
        return false;
    }
}
