/**
 * accessKey mode: an IAM user with the build policy and one access key, kept in a Secret of its own that only the
 * refresher (CronJob or External Secrets) reads. The key's secret is a Pulumi secret from AWS to the cluster.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EcrRegistryArgs } from "./args";
import { Coordinates } from "./partition";
import { buildPermissionPolicy, policyJson } from "./policies";
import { ACCESS_KEY_ID_KEY, CREDENTIALS_SECRET, REFRESHER_LABELS, SECRET_ACCESS_KEY_KEY } from "./refresherSpec";

/** The accessKey-mode IAM user, its access key, and the Secret the refresher reads the key from. */
export interface PushUser {
    readonly user: aws.iam.User;
    readonly accessKey: aws.iam.AccessKey;
    /** The Kubernetes Secret with the access key. */
    readonly credentials: k8s.core.v1.Secret;
    readonly resources: readonly pulumi.Resource[];
}

/** Creates the push user with the build policy, its access key, and the credentials Secret (once the policy is attached). */
export function createPushUser(
    args: EcrRegistryArgs,
    ctx: { readonly name: string; readonly namespace: pulumi.Input<string>; readonly coordinates: pulumi.Input<Coordinates> },
    opts: pulumi.CustomResourceOptions,
): PushUser {
    const name = `${ctx.name}-ecr-push`;
    const user = new aws.iam.User(name, { tags: args.tags ? { ...args.tags } : undefined }, opts);
    const policy = new aws.iam.UserPolicy(
        name,
        { user: user.name, policy: pulumi.output(ctx.coordinates).apply((c) => policyJson(buildPermissionPolicy(c as Coordinates))) },
        opts,
    );
    const accessKey = new aws.iam.AccessKey(name, { user: user.name }, opts);
    const credentials = new k8s.core.v1.Secret(
        `${ctx.name}-ecr-credentials`,
        {
            metadata: { name: CREDENTIALS_SECRET, namespace: ctx.namespace, labels: { ...REFRESHER_LABELS } },
            type: "Opaque",
            // `data`, not `stringData` (which the API server folds into `data`, a diff on every server-side-apply preview).
            // The provider marks `secret` secret already; wrapping the whole map keeps the pair together in state.
            data: pulumi.secret(
                pulumi
                    .all([accessKey.id, accessKey.secret])
                    .apply(([id, secret]) => ({ [ACCESS_KEY_ID_KEY]: base64(id), [SECRET_ACCESS_KEY_KEY]: base64(secret) })),
            ),
        },
        // The key is usable only once the user's policy is attached.
        { ...opts, dependsOn: [policy] },
    );
    return { user, accessKey, credentials, resources: [policy, credentials] };
}

const base64 = (value: string): string => Buffer.from(value, "utf8").toString("base64");
