/**
 * The Kubernetes objects of the accessKey token refresher, as plain data (pure functions, no Pulumi): the Role rules,
 * the pod that runs {@link REFRESHER_SCRIPT}, and the CronJob / Job specs around it.
 */
import type { types } from "@pulumi/kubernetes";
import { IMAGE_REPO_SECRET } from "../../values/chartValues";
import { REFRESHER_SCRIPT } from "./refresherScript";

/** Name of the refresher's ServiceAccount, Role, RoleBinding and CronJob. */
export const REFRESHER_NAME = "image-repo-secret-refresher";
/** The Secret holding the IAM user's access key (keys are the AWS CLI's environment variable names). */
export const CREDENTIALS_SECRET = "ecr-refresher-aws-credentials";
/** Key of the access key id in {@link CREDENTIALS_SECRET}, and the pod's environment variable. */
export const ACCESS_KEY_ID_KEY = "AWS_ACCESS_KEY_ID";
/** Key of the secret access key in {@link CREDENTIALS_SECRET}, and the pod's environment variable. */
export const SECRET_ACCESS_KEY_KEY = "AWS_SECRET_ACCESS_KEY";

/** `app.kubernetes.io/*` labels of the refresher's objects, the access-key Secret and the ESO objects. */
export const REFRESHER_LABELS: Readonly<Record<string, string>> = {
    "app.kubernetes.io/name": REFRESHER_NAME,
    "app.kubernetes.io/component": "ecr-token-refresher",
    "app.kubernetes.io/part-of": "dify",
    "app.kubernetes.io/managed-by": "pulumi",
};

/** `{"auths":{}}`: what image-repo-secret holds until the first refresh writes a login. */
export const EMPTY_DOCKER_CONFIG = JSON.stringify({ auths: {} });

/**
 * The Role's only rule: read and merge-patch the one Secret. `create` is not granted (it cannot be limited to a name),
 * which is why Pulumi creates image-repo-secret and the script only patches it.
 */
export function refresherRoleRules(): types.input.rbac.v1.PolicyRule[] {
    return [{ apiGroups: [""], resources: ["secrets"], resourceNames: [IMAGE_REPO_SECRET], verbs: ["get", "patch"] }];
}

/** What the refresher pod needs: its image, and the region and host of the login. */
export interface RefresherPodSettings {
    /** The chart's `awsCliImage` (after overrides and the mirror). */
    readonly image: string;
    readonly region: string;
    /** The registry host the login is stored under. */
    readonly host: string;
}

/** The pod: the script in the AWS CLI image, the access key from its Secret, non-root with a read-only root. */
export function refresherPodSpec(s: RefresherPodSettings): types.input.core.v1.PodSpec {
    return {
        serviceAccountName: REFRESHER_NAME,
        automountServiceAccountToken: true,
        restartPolicy: "OnFailure",
        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
            {
                name: "refresh",
                image: s.image,
                // The image's entrypoint is `aws`; the script needs bash.
                command: ["/bin/bash", "-c", REFRESHER_SCRIPT],
                env: [
                    { name: "AWS_REGION", value: s.region },
                    { name: "REGISTRY_HOST", value: s.host },
                    { name: "SECRET_NAME", value: IMAGE_REPO_SECRET },
                    { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                    { name: "HOME", value: "/tmp" },
                    // Only the access key may be used; never fall back to a node's instance role.
                    { name: "AWS_EC2_METADATA_DISABLED", value: "true" },
                ],
                envFrom: [{ secretRef: { name: CREDENTIALS_SECRET } }],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
        ],
        volumes: [{ name: "tmp", emptyDir: {} }],
    };
}

/** The Job spec (used as is by the deploy-time Job and as the CronJob's job template). */
export function refresherJobSpec(s: RefresherPodSettings): types.input.batch.v1.JobSpec {
    return {
        backoffLimit: 4,
        activeDeadlineSeconds: 600,
        template: { metadata: { labels: { ...REFRESHER_LABELS } }, spec: refresherPodSpec(s) },
    };
}

/** The CronJob spec: one refresh at a time, a short history. */
export function refresherCronJobSpec(s: RefresherPodSettings & { readonly schedule: string }): types.input.batch.v1.CronJobSpec {
    const { schedule, ...pod } = s;
    return {
        schedule,
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: { metadata: { labels: { ...REFRESHER_LABELS } }, spec: refresherJobSpec(pod) },
    };
}
