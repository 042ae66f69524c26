import * as pulumi from "@pulumi/pulumi";

/**
 * AWS ECR. Plugin images go to `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<prefix>/<plugin>-<hash>`; the
 * repositories are created on push by an ECR repository creation template that carries the lifecycle policy,
 * encryption, tag mutability and tags.
 */
export interface EcrRegistryArgs {
    /** Selects this registry kind. */
    readonly type: "ecr";
    /**
     * Region of the registry: `us-east-1`, `cn-north-1`, … Sets `plugin_connector.ecrRegion` and the partition
     * (`aws-cn` for `cn-*`). Optional when `prefix` is written behind the registry host.
     */
    readonly region?: pulumi.Input<string>;
    /**
     * Repository path prefix, e.g. `dify-plugins` or `team/dify` — or the same behind the registry host,
     * `123456789012.dkr.ecr.us-east-1.amazonaws.com/dify-plugins`. Lowercase; no scheme, tag or leading slash.
     */
    readonly prefix: pulumi.Input<string>;
    /**
     * AWS account that owns the registry. Default: from the registry host in `prefix`, else from the IRSA OIDC
     * provider ARN, else the account of the AWS provider's credentials (`aws.getCallerIdentity`).
     */
    readonly accountId?: pulumi.Input<string>;
    /** How build and runner pods get ECR credentials. Default `{ mode: "irsa" }`. */
    readonly auth?: EcrAuthArgs;
    /**
     * `plugin_connector.imageRepoType`. Default `"docker"`: kaniko pushes and ECR creates each repository on push
     * through the creation template, so the template's lifecycle policy, encryption and tags apply and Dify makes no
     * ECR API call. `"ecr"` (irsa / podIdentity only) makes Dify create repositories with the AWS CLI, which the
     * template does not govern; use it only where create-on-push is unavailable. See docs/ecr.md.
     */
    readonly imageRepoType?: "docker" | "ecr";
    /** Settings of the repositories created under the prefix (the creation template). */
    readonly repositories?: EcrRepositoryArgs;
    /** irsa / podIdentity: S3 bucket build pods read the build context from (read-only, `s3:GetObject`). */
    readonly buildContextBucket?: pulumi.Input<string>;
    /**
     * irsa / podIdentity: names of the ServiceAccounts created for plugin build (`customServiceAccount`) and runner
     * (`runnerServiceAccount`) pods. Default `dify-plugin-build` and `dify-plugin-runner`.
     */
    readonly serviceAccounts?: { readonly build?: string; readonly runner?: string };
    /** Tags of the IAM roles and user the component creates. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** How pods get ECR credentials. */
export type EcrAuthArgs = EcrIrsaAuthArgs | EcrPodIdentityAuthArgs | EcrAccessKeyAuthArgs;

/**
 * IAM Roles for Service Accounts (EKS): one role for build and one for runner pods, each trusted by the cluster's OIDC
 * provider for exactly one ServiceAccount (`sub`) and STS (`aud`). Give `oidcProviderArn` (the issuer is read from
 * it), `oidcIssuerUrl` (the ARN is built from it), both, or `clusterName` to look the issuer up.
 */
export interface EcrIrsaAuthArgs {
    /** Selects IRSA, the default mode. */
    readonly mode?: "irsa";
    /** `arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE` */
    readonly oidcProviderArn?: pulumi.Input<string>;
    /** `https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE` (the cluster's `identity.oidc.issuer`). */
    readonly oidcIssuerUrl?: pulumi.Input<string>;
    /** EKS cluster whose issuer is looked up (`aws.eks.getCluster`, in the AWS provider's region) when neither is given. */
    readonly clusterName?: pulumi.Input<string>;
}

/** EKS Pod Identity: the same two roles, trusted by `pods.eks.amazonaws.com`, bound with Pod Identity associations. */
export interface EcrPodIdentityAuthArgs {
    /** Selects EKS Pod Identity. */
    readonly mode: "podIdentity";
    /** The EKS cluster the associations are created in (the Pod Identity Agent add-on must run there). */
    readonly clusterName: pulumi.Input<string>;
}

/**
 * Clusters outside EKS: an IAM user with the build policy and an access key. `image-repo-secret` holds a real docker
 * login that is refreshed inside the cluster (ECR tokens expire after 12 hours) — never a token in Pulumi state.
 */
export interface EcrAccessKeyAuthArgs {
    /** Selects an IAM user's access key, with the docker login refreshed in the cluster. */
    readonly mode: "accessKey";
    /**
     * `"cronJob"` (default): a CronJob (plus a Job at deploy time) running the chart's `awsCliImage` refreshes the
     * Secret. `"externalSecrets"`: the cluster runs External Secrets Operator; an `ECRAuthorizationToken` generator
     * and an `ExternalSecret` keep it fresh instead.
     */
    readonly refresher?: "cronJob" | "externalSecrets";
    /**
     * cronJob: cron schedule, default `"0 *\/6 * * *"` (every 6 hours; tokens last 12). Held to the rules Kubernetes
     * validates `CronJob.spec.schedule` with (5 fields, day of week 0-6 or SUN-SAT, `@hourly` / `@every 6h`, no `TZ=`).
     */
    readonly schedule?: string;
    /**
     * cronJob: the image the refresher runs (it holds the IAM user's access key), used as given. Default
     * `pluginConnector.images.awsCli` when set, else `DEFAULT_AWS_CLI_IMAGE` (`amazon/aws-cli` pinned to a 2.x
     * version) — each moved to `pluginConnector.imageMirror` when one is set, and copied by `mirrorImages`.
     */
    readonly refresherImage?: string;
    /** externalSecrets: refresh interval, a duration under 12h, default `"6h"`. */
    readonly refreshInterval?: string;
    /** externalSecrets: API version of `ExternalSecret`, default `"external-secrets.io/v1"` (ESO 0.17+). */
    readonly externalSecretsApiVersion?: "external-secrets.io/v1" | "external-secrets.io/v1beta1";
}

/** The creation template: settings of every repository ECR creates under the prefix. */
export interface EcrRepositoryArgs {
    /** Lifecycle policy: keep the last N images of each repository. Default 20. */
    readonly keepLastImages?: number;
    /** `MUTABLE` (default; Dify may push a tag again when it rebuilds a plugin) or `IMMUTABLE`. */
    readonly imageTagMutability?: "MUTABLE" | "IMMUTABLE";
    /** `AES256` (default) or `KMS` (then `kmsKeyArn` is required). */
    readonly encryption?: "AES256" | "KMS";
    /** The customer managed KMS key for `encryption: "KMS"`. */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Tags of every created repository. */
    readonly tags?: Readonly<Record<string, string>>;
    /**
     * Turn on basic scan-on-push for `<prefix>/*`. This is the registry's scanning configuration: one per account and
     * region, so it REPLACES whatever scanning rules the registry has. Default false.
     */
    readonly scanOnPush?: boolean;
}

/** ServiceAccount name for plugin build pods when `serviceAccounts.build` is not given. */
export const DEFAULT_BUILD_SERVICE_ACCOUNT = "dify-plugin-build";
/** ServiceAccount name for plugin runner pods when `serviceAccounts.runner` is not given. */
export const DEFAULT_RUNNER_SERVICE_ACCOUNT = "dify-plugin-runner";
/** Images the lifecycle policy keeps per repository when `repositories.keepLastImages` is not given. */
export const DEFAULT_KEEP_LAST_IMAGES = 20;
/** Cron schedule of the login refresher when `auth.schedule` is not given: every 6 hours (ECR logins last 12). */
export const DEFAULT_REFRESH_SCHEDULE = "0 */6 * * *";
/** ExternalSecret refresh interval (6 hours; ECR logins last 12) when `auth.refreshInterval` is not given. */
export const DEFAULT_REFRESH_INTERVAL = "6h";
/** `ExternalSecret` API version (ESO 0.17+) when `auth.externalSecretsApiVersion` is not given. */
export const DEFAULT_EXTERNAL_SECRETS_API_VERSION = "external-secrets.io/v1";
