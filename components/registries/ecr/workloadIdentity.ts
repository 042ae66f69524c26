/**
 * irsa / podIdentity: one IAM role for plugin build pods and one for plugin runner pods, each trusted for exactly one
 * ServiceAccount; the ServiceAccounts themselves are created by the component from the returned specs.
 */
import { buildContextBucketOf } from "./buildContext";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ServiceAccountSpec } from "../registryKind";
import {
    DEFAULT_BUILD_SERVICE_ACCOUNT,
    DEFAULT_RUNNER_SERVICE_ACCOUNT,
    EcrIrsaAuthArgs,
    EcrPodIdentityAuthArgs,
    EcrRegistryArgs,
} from "./args";
import { resolveOidcProvider } from "./coordinates";
import { Coordinates } from "./partition";
import { buildPermissionPolicy, irsaTrustPolicy, podIdentityTrustPolicy, policyJson, runnerPermissionPolicy } from "./policies";

/** The annotation the EKS Pod Identity webhook reads to give a pod its IRSA role. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

/** The build and runner roles, and the ServiceAccounts the component creates for them. */
export interface WorkloadRoles {
    readonly buildRole: aws.iam.Role;
    readonly runnerRole: aws.iam.Role;
    readonly serviceAccounts: { readonly build: ServiceAccountSpec; readonly runner: ServiceAccountSpec };
    /** Role policies and Pod Identity associations: the chart waits for them. */
    readonly resources: readonly pulumi.Resource[];
}

interface Context {
    readonly name: string;
    readonly parent: pulumi.Resource;
    readonly namespace: pulumi.Input<string>;
    readonly coordinates: pulumi.Input<Coordinates>;
    readonly opts: pulumi.CustomResourceOptions;
    /** The user's chart values: the build role reads Dify's S3 storage (`persistence.s3.bucketName`). */
    readonly chartValues: Readonly<Record<string, unknown>>;
    /** `chart.secretValues`: a bucket read from the chart values stays secret in the policy. */
    readonly secretChartValues?: boolean;
}

/** Creates the build and runner roles for `irsa` or `podIdentity`. */
export function createWorkloadRoles(args: EcrRegistryArgs, ctx: Context): WorkloadRoles {
    const auth = args.auth ?? {};
    const podIdentity = auth.mode === "podIdentity";
    const names = {
        build: args.serviceAccounts?.build ?? DEFAULT_BUILD_SERVICE_ACCOUNT,
        runner: args.serviceAccounts?.runner ?? DEFAULT_RUNNER_SERVICE_ACCOUNT,
    };
    const oidc = podIdentity ? undefined : resolveOidcProvider(auth as EcrIrsaAuthArgs, ctx.coordinates, ctx.parent);
    const clusterName = podIdentity ? (auth as EcrPodIdentityAuthArgs).clusterName : undefined;

    const trust = (serviceAccount: string): pulumi.Output<string> =>
        podIdentity
            ? pulumi
                  .all([clusterName!, ctx.namespace])
                  .apply(([cluster, namespace]) => policyJson(podIdentityTrustPolicy({ clusterName: cluster, namespace, serviceAccount })))
            : pulumi
                  .all([oidc!, ctx.namespace])
                  .apply(([o, namespace]) =>
                      policyJson(irsaTrustPolicy({ oidcProviderArn: o.arn, issuer: o.issuer, namespace, serviceAccount })),
                  );

    const bucket = buildContextBucketOf(args, ctx.chartValues);
    const fromSecretValues = ctx.secretChartValues === true && args.buildContextBucket === undefined && bucket !== undefined;
    const permissions = {
        build: pulumi
            .all([ctx.coordinates, fromSecretValues ? pulumi.secret(bucket) : bucket])
            .apply(([c, bucket]) => policyJson(buildPermissionPolicy(c as Coordinates, bucket))),
        runner: pulumi.output(ctx.coordinates).apply((c) => policyJson(runnerPermissionPolicy(c as Coordinates))),
    };
    const descriptions = {
        build: "Dify plugin builds (kaniko): push plugin images to ECR under the plugin prefix",
        runner: "Dify plugin runners: pull plugin images from ECR under the plugin prefix",
    };

    const resources: pulumi.Resource[] = [];
    const roles = {} as Record<"build" | "runner", aws.iam.Role>;
    const specs = {} as Record<"build" | "runner", ServiceAccountSpec>;
    for (const which of ["build", "runner"] as const) {
        const role = new aws.iam.Role(
            `${ctx.name}-ecr-${which}`,
            { description: descriptions[which], assumeRolePolicy: trust(names[which]), tags: args.tags ? { ...args.tags } : undefined },
            ctx.opts,
        );
        resources.push(new aws.iam.RolePolicy(`${ctx.name}-ecr-${which}`, { role: role.id, policy: permissions[which] }, ctx.opts));
        if (podIdentity) {
            resources.push(
                new aws.eks.PodIdentityAssociation(
                    `${ctx.name}-ecr-${which}`,
                    {
                        clusterName: clusterName!,
                        namespace: ctx.namespace,
                        serviceAccount: names[which],
                        roleArn: role.arn,
                        tags: args.tags ? { ...args.tags } : undefined,
                    },
                    ctx.opts,
                ),
            );
        }
        roles[which] = role;
        // Pod Identity binds through the association; only IRSA reads an annotation.
        specs[which] = podIdentity ? { name: names[which] } : { name: names[which], annotations: { [IRSA_ROLE_ANNOTATION]: role.arn } };
    }
    return { buildRole: roles.build, runnerRole: roles.runner, serviceAccounts: specs, resources };
}
