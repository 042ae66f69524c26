import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { inputString } from "../schema";
import { dockerConfigJson } from "../../engines/oci/dockerConfig";
import { InputChecks } from "../validation";
import { createPushUser } from "./ecr/accessKey";
import {
    DEFAULT_BUILD_SERVICE_ACCOUNT,
    DEFAULT_EXTERNAL_SECRETS_API_VERSION,
    DEFAULT_REFRESH_INTERVAL,
    DEFAULT_REFRESH_SCHEDULE,
    DEFAULT_RUNNER_SERVICE_ACCOUNT,
    EcrAccessKeyAuthArgs,
    EcrRegistryArgs,
} from "./ecr/args";
import { mapInput, resolveCoordinates } from "./ecr/coordinates";
import { createExternalSecretRefresher } from "./ecr/externalSecrets";
import { createRepositoryGovernance } from "./ecr/governance";
import { Coordinates } from "./ecr/partition";
import { createTokenRefresher } from "./ecr/refresher";
import { validateEcr } from "./ecr/validate";
import { createWorkloadRoles } from "./ecr/workloadIdentity";
import { ProvisionedRegistry, RegistryContext, RegistryKind, ValidationContext } from "./registryKind";

export {
    EcrAccessKeyAuthArgs,
    EcrAuthArgs,
    EcrIrsaAuthArgs,
    EcrPodIdentityAuthArgs,
    EcrRegistryArgs,
    EcrRepositoryArgs,
} from "./ecr/args";

const optionalString = z.string().optional();
const optionalInput = inputString.optional();
const tags = z.record(z.string(), z.string()).optional();

/** AWS ECR: repository governance for the prefix, and IRSA, EKS Pod Identity or a refreshed access-key login. */
export const ecrRegistry: RegistryKind<EcrRegistryArgs> = {
    type: "ecr",
    // Shape only; modes, names, ARNs and their combinations are checked by validate() with the argument's path.
    configSchema: z.strictObject({
        type: z.literal("ecr"),
        region: optionalInput,
        prefix: inputString,
        accountId: optionalInput,
        imageRepoType: optionalString,
        auth: z
            .strictObject({
                mode: optionalString,
                oidcProviderArn: optionalInput,
                oidcIssuerUrl: optionalInput,
                clusterName: optionalInput,
                refresher: optionalString,
                schedule: optionalString,
                refresherImage: optionalString,
                refreshInterval: optionalString,
                externalSecretsApiVersion: optionalString,
            })
            .optional(),
        repositories: z
            .strictObject({
                keepLastImages: z.number().optional(),
                imageTagMutability: optionalString,
                encryption: optionalString,
                kmsKeyArn: optionalInput,
                tags,
                scanOnPush: z.boolean().optional(),
            })
            .optional(),
        buildContextBucket: optionalInput,
        serviceAccounts: z.strictObject({ build: optionalString, runner: optionalString }).optional(),
        tags,
    }),
    // No credential is ever given: the access key of accessKey mode is created, and is a Pulumi secret from the start.
    secretKeys: [],

    serviceAccountNames(args: EcrRegistryArgs) {
        // accessKey pods use image-repo-secret, not a role: no ServiceAccount of ours.
        return args.auth?.mode === "accessKey"
            ? {}
            : {
                  build: args.serviceAccounts?.build ?? DEFAULT_BUILD_SERVICE_ACCOUNT,
                  runner: args.serviceAccounts?.runner ?? DEFAULT_RUNNER_SERVICE_ACCOUNT,
              };
    },

    usesAwsCliImage(args: EcrRegistryArgs): boolean {
        const auth = args.auth as EcrAccessKeyAuthArgs | undefined;
        return auth?.mode === "accessKey" && auth.refresher !== "externalSecrets" && auth.refresherImage === undefined;
    },

    validate(args: EcrRegistryArgs, checks: InputChecks, context: ValidationContext): void {
        validateEcr(args, checks, context);
    },

    provision(args: EcrRegistryArgs, ctx: RegistryContext): ProvisionedRegistry {
        const opts: pulumi.CustomResourceOptions = { parent: ctx.parent, dependsOn: ctx.dependsOn };
        const coordinates = resolveCoordinates(args, ctx.parent);
        const governance = createRepositoryGovernance(ctx.name, coordinates, args.repositories ?? {}, args.tags, opts);
        const host = mapInput(coordinates, (c) => c.host);
        const region = mapInput(coordinates, (c) => c.region);
        const location = {
            registryHost: host,
            region,
            templatePrefix: mapInput(coordinates, (c) => c.path),
        };
        const common = {
            imageRepoPrefix: mapInput(coordinates, (c: Coordinates) => `${c.host}/${c.path}`),
            insecure: false,
        };

        if (args.auth?.mode === "accessKey") {
            return { ...common, ...provisionAccessKey(args, args.auth, ctx, coordinates, opts, governance.resources, location) };
        }
        const roles = createWorkloadRoles(args, {
            name: ctx.name,
            parent: ctx.parent,
            namespace: ctx.namespace,
            coordinates,
            opts,
            chartValues: ctx.chartValues,
            secretChartValues: ctx.secretChartValues,
        });
        const imageRepoType = args.imageRepoType ?? "docker";
        return {
            ...common,
            imageRepoType,
            ecrRegion: imageRepoType === "ecr" ? region : undefined,
            // kaniko logs in with the pod's role through the ECR credential helper: no password anywhere.
            dockerConfigJson: pulumi.secret(pulumi.output(host).apply((h) => dockerConfigJson([], { [h]: "ecr-login" }))),
            serviceAccounts: roles.serviceAccounts,
            dependencies: [...governance.resources, ...roles.resources],
            outputs: {
                authMode: args.auth?.mode ?? "irsa",
                ...location,
                buildRoleArn: roles.buildRole.arn,
                runnerRoleArn: roles.runnerRole.arn,
                buildServiceAccount: args.serviceAccounts?.build ?? DEFAULT_BUILD_SERVICE_ACCOUNT,
                runnerServiceAccount: args.serviceAccounts?.runner ?? DEFAULT_RUNNER_SERVICE_ACCOUNT,
            },
        };
    },
};

/**
 * accessKey: always `imageRepoType: docker` — build pods have no AWS credentials to call the ECR API with, and they do
 * not need any: kaniko pushes with the refreshed login and ECR creates each repository on push from the template.
 */
function provisionAccessKey(
    args: EcrRegistryArgs,
    auth: EcrAccessKeyAuthArgs,
    ctx: RegistryContext,
    coordinates: pulumi.Input<Coordinates>,
    opts: pulumi.CustomResourceOptions,
    governance: readonly pulumi.Resource[],
    location: Record<string, pulumi.Input<unknown>>,
): Omit<ProvisionedRegistry, "imageRepoPrefix" | "insecure"> {
    const base = { name: ctx.name, namespace: ctx.namespace, coordinates };
    const push = createPushUser(args, base, opts);
    const outputs = { authMode: "accessKey", ...location, pushUserArn: push.user.arn, pushUserName: push.user.name };
    if (auth.refresher === "externalSecrets") {
        const eso = createExternalSecretRefresher(
            {
                ...base,
                apiVersion: auth.externalSecretsApiVersion ?? DEFAULT_EXTERNAL_SECRETS_API_VERSION,
                refreshInterval: auth.refreshInterval ?? DEFAULT_REFRESH_INTERVAL,
                credentials: push.credentials,
            },
            opts,
        );
        return {
            imageRepoType: "docker",
            pushCheckLogin: pushCheckLogin(push, coordinates),
            dependencies: [...governance, ...push.resources, ...eso.resources],
            outputs: { ...outputs, refresher: "externalSecrets", externalSecret: eso.externalSecret.metadata.name },
        };
    }
    const cron = createTokenRefresher(
        {
            ...base,
            image: auth.refresherImage ?? ctx.awsCliImage,
            schedule: auth.schedule ?? DEFAULT_REFRESH_SCHEDULE,
            credentials: push.credentials,
        },
        opts,
    );
    return {
        imageRepoType: "docker",
        pushCheckLogin: pushCheckLogin(push, coordinates),
        dependencies: [...governance, ...push.resources, ...cron.resources],
        outputs: { ...outputs, refresher: "cronJob", refresherCronJob: cron.cronJob.metadata.name },
    };
}

/** The push user's key, for the push check to exchange for a login (what the refresher does in the cluster). */
function pushCheckLogin(
    push: { readonly accessKey: { readonly id: pulumi.Output<string>; readonly secret: pulumi.Output<string> } },
    coordinates: pulumi.Input<Coordinates>,
) {
    return {
        ecr: pulumi.secret(
            pulumi
                .all([push.accessKey.id, push.accessKey.secret, pulumi.output(coordinates)])
                .apply(([accessKeyId, secretAccessKey, c]) => ({ region: (c as Coordinates).region, accessKeyId, secretAccessKey })),
        ),
    };
}
