/**
 * accessKey mode, default refresher: image-repo-secret is created by Pulumi with an empty docker config and its data is
 * then owned by a Job (run once at deploy time, so the Secret holds a login before the chart starts) and a CronJob
 * (every 6 hours; ECR logins last 12) that run {@link REFRESHER_SCRIPT} under a Role that may only get and patch
 * that one Secret. Pulumi ignores the Secret's data afterwards, so a token never lands in state and never shows a diff.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGE_REPO_SECRET } from "../../values/chartValues";
import { mapInput } from "./coordinates";
import { Coordinates } from "./partition";
import {
    EMPTY_DOCKER_CONFIG,
    REFRESHER_LABELS,
    REFRESHER_NAME,
    refresherCronJobSpec,
    refresherJobSpec,
    refresherRoleRules,
    RefresherPodSettings,
} from "./refresherSpec";

/** image-repo-secret and the CronJob and deploy-time Job that keep a fresh ECR login in it. */
export interface TokenRefresher {
    readonly secret: k8s.core.v1.Secret;
    readonly cronJob: k8s.batch.v1.CronJob;
    readonly job: k8s.batch.v1.Job;
    readonly resources: readonly pulumi.Resource[];
}

interface Context {
    readonly name: string;
    readonly namespace: pulumi.Input<string>;
    readonly coordinates: pulumi.Input<Coordinates>;
    /** The chart's `awsCliImage`. */
    readonly image: string;
    readonly schedule: string;
    /** The access-key Secret the pods read. */
    readonly credentials: k8s.core.v1.Secret;
}

/** Creates image-repo-secret (empty; its data is then ignored), the refresher's RBAC, and its CronJob and first Job. */
export function createTokenRefresher(ctx: Context, opts: pulumi.CustomResourceOptions): TokenRefresher {
    const { name, namespace } = ctx;
    const metadata = { name: REFRESHER_NAME, namespace, labels: { ...REFRESHER_LABELS } };
    const empty = Buffer.from(EMPTY_DOCKER_CONFIG).toString("base64");
    // Named like the Secret the component writes for other kinds: switching auth modes updates it in place.
    const secret = new k8s.core.v1.Secret(
        `${name}-image-repo-secret`,
        {
            metadata: { name: IMAGE_REPO_SECRET, namespace },
            type: "kubernetes.io/dockerconfigjson",
            data: pulumi.secret({ ".dockerconfigjson": empty, "config.json": empty }),
        },
        { ...opts, ignoreChanges: ["data", "stringData"] },
    );
    const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-ecr-refresher`, { metadata }, opts);
    const role = new k8s.rbac.v1.Role(`${name}-ecr-refresher`, { metadata, rules: refresherRoleRules() }, opts);
    const binding = new k8s.rbac.v1.RoleBinding(
        `${name}-ecr-refresher`,
        {
            metadata,
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: REFRESHER_NAME },
            subjects: [{ kind: "ServiceAccount", name: REFRESHER_NAME, namespace }],
        },
        { ...opts, dependsOn: [role, serviceAccount] },
    );

    const pod = mapInput(ctx.coordinates, (c): RefresherPodSettings => ({ image: ctx.image, region: c.region, host: c.host }));
    const ready = { parent: opts.parent, dependsOn: [secret, binding, ctx.credentials] };
    const cronJob = new k8s.batch.v1.CronJob(
        `${name}-ecr-refresher`,
        { metadata, spec: mapInput(pod, (p) => refresherCronJobSpec({ ...p, schedule: ctx.schedule })) },
        ready,
    );
    // Pulumi waits for the Job to complete, so the chart (which waits for it) starts with a valid login.
    const job = new k8s.batch.v1.Job(
        `${name}-ecr-refresh-now`,
        { metadata: { namespace, labels: { ...REFRESHER_LABELS } }, spec: mapInput(pod, refresherJobSpec) },
        ready,
    );
    return { secret, cronJob, job, resources: [secret, serviceAccount, role, binding, cronJob, job] };
}
