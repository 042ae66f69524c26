import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { EcrLogin } from "../../engines/pushCheck/ecrLogin";
import type { ResourceHost } from "../resources/host";
import { InputChecks } from "../validation";

/** What a registry kind is given to create its resources. */
export interface RegistryContext {
    /** The component's name: children are named `<name>-<suffix>`. */
    readonly name: string;
    /** The component: every child is created with `{ parent }`. */
    readonly parent: pulumi.Resource;
    /** The release namespace (ServiceAccounts and Secrets live there). */
    readonly namespace: pulumi.Input<string>;
    /** Children wait on this, so they are registered only once every argument has been validated. */
    readonly dependsOn: pulumi.Input<pulumi.Resource[]>;
    /**
     * The aws-cli image for the component's own jobs (the ECR token refresher): `pluginConnector.images.awsCli` when
     * given (moved to `imageMirror` when set), else the component's pinned default (`DEFAULT_AWS_CLI_IMAGE`), moved to
     * `imageMirror` when set.
     */
    readonly awsCliImage: string;
    /** The user's `chart.values` (never the component's own), for kinds that must look at them. */
    readonly chartValues: Readonly<Record<string, unknown>>;
    /**
     * `chart.secretValues`: `chart.values` are a secret as a whole, so a value read from them into a resource input (an
     * S3 bucket in an IAM policy) must be kept secret too.
     */
    readonly secretChartValues?: boolean;
    /** Where resources that wrap engines run (`../resources/host.ts`); unset: dynamic resources. */
    readonly resourceHost?: ResourceHost;
}

/** What a registry kind's `validate` may look at besides its own arguments. */
export interface ValidationContext {
    /** The user's `chart.values`. */
    readonly chartValues: Readonly<Record<string, unknown>>;
    /** The release namespace. */
    readonly namespace: string;
    /** Warnings that do not stop the deployment (logged with `pulumi.log.warn` by the component). */
    warn(message: string): void;
}

/** A Kubernetes ServiceAccount the component creates for plugin build or runner pods. */
export interface ServiceAccountSpec {
    readonly name: string;
    /** e.g. `eks.amazonaws.com/role-arn` for IRSA. */
    readonly annotations?: Record<string, pulumi.Input<string>>;
}

/** The registry as Dify's plugin connector sees it, once provisioned. */
export interface ProvisionedRegistry {
    /** `plugin_connector.imageRepoPrefix`: `<host>/<path>`, with no scheme and no trailing slash. */
    readonly imageRepoPrefix: pulumi.Input<string>;
    /** `plugin_connector.imageRepoType`. */
    readonly imageRepoType: "docker" | "ecr";
    /** `plugin_connector.ecrRegion`, only for `imageRepoType: ecr`. */
    readonly ecrRegion?: pulumi.Input<string>;
    /** `plugin_connector.insecureImageRepo`: the registry speaks plain HTTP. */
    readonly insecure: boolean;
    /**
     * The docker config JSON for `image-repo-secret`, secret-wrapped. Undefined when the kind keeps the Secret's
     * content up to date itself (the component then creates nothing for it).
     */
    readonly dockerConfigJson?: pulumi.Output<string>;
    /** ServiceAccounts to create and name in `customServiceAccount` / `runnerServiceAccount`. */
    readonly serviceAccounts?: { readonly build?: ServiceAccountSpec; readonly runner?: ServiceAccountSpec };
    /** Resources the kind created that the Helm deployment must wait for. */
    readonly dependencies?: readonly pulumi.Resource[];
    /**
     * The login the push check (`pushCheck`) tries when it is not `dockerConfigJson`: ECR's access key, exchanged for a
     * registry login when the check runs. Secret.
     */
    readonly pushCheckLogin?: { readonly ecr?: pulumi.Input<EcrLogin> };
    /** Kind-specific outputs (role ARNs, login server, …), exposed as the component's `registryOutputs`. No secrets. */
    readonly outputs?: Readonly<Record<string, pulumi.Input<unknown>>>;
}

/**
 * One kind of registry (`docker`, `dockerhub`, later `ecr`, `acr`, …), in a file of its own. The component knows
 * kinds only through this interface.
 */
export interface RegistryKind<TArgs extends { readonly type: string }> {
    readonly type: TArgs["type"];
    /**
     * Shape of this kind's `registry:` block in stack config (values as plain data; semantics are checked by `validate`).
     * @internal Left out of the published declarations (`stripInternal`): zod's own declarations do not compile under
     * `pulumi new typescript`'s tsconfig (no `esModuleInterop`, no `skipLibCheck`), and a program never needs it.
     */
    readonly configSchema: z.ZodObject<{ type: z.ZodLiteral<TArgs["type"]> } & z.ZodRawShape>;
    /** Keys of the `registry:` block that are credentials: wrapped in `pulumi.secret` when read from config. */
    readonly secretKeys: readonly string[];
    /**
     * Names of the build / runner ServiceAccounts `provision` will create for `args` (valid ones), known while planning
     * so a clash with `pluginConnector.serviceAccounts` is refused before anything registers. Omitted: creates none.
     */
    serviceAccountNames?(args: TArgs): { readonly build?: string; readonly runner?: string };
    /**
     * Whether `provision` runs a job of its own in `RegistryContext.awsCliImage` (ECR's token refresher) for `args`:
     * `pluginConnector.mirrorImages` then copies that image into the mirror too. Omitted: runs none.
     */
    usesAwsCliImage?(args: TArgs): boolean;
    /** Records every problem with `args` (property paths start with `registry.`); creates nothing. */
    validate(args: TArgs, checks: InputChecks, context: ValidationContext): void;
    /** Creates the kind's cloud resources, if any, and describes the registry. Called only with valid args. */
    provision(args: TArgs, ctx: RegistryContext): ProvisionedRegistry;
}
