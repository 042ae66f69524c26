/**
 * Governance of the repositories Dify pushes to: an ECR repository creation template for the prefix (applied when ECR
 * creates a repository on push) with the lifecycle policy, encryption, tag mutability and tags; the role ECR needs to
 * apply tags or a KMS key; and, opt-in only, the registry-wide scan-on-push rule.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_KEEP_LAST_IMAGES, EcrRepositoryArgs } from "./args";
import { mapInput } from "./coordinates";
import { Coordinates } from "./partition";
import { ecrServiceTrustPolicy, lifecyclePolicy, policyJson, templateRolePolicy } from "./policies";

/** What {@link createRepositoryGovernance} creates: the creation template, plus the role and scanning rule when needed. */
export interface RepositoryGovernance {
    readonly template: aws.ecr.RepositoryCreationTemplate;
    /** The role ECR assumes for tags / KMS, when the template needs one. */
    readonly role?: aws.iam.Role;
    readonly scanning?: aws.ecr.RegistryScanningConfiguration;
    /** Everything created, for the chart to wait on. */
    readonly resources: readonly pulumi.Resource[];
}

/** Creates the template (and what it needs) for the repositories under `coordinates.path`. */
export function createRepositoryGovernance(
    name: string,
    coordinates: pulumi.Input<Coordinates>,
    repositories: EcrRepositoryArgs,
    iamTags: Readonly<Record<string, string>> | undefined,
    opts: pulumi.CustomResourceOptions,
): RepositoryGovernance {
    const kms = (repositories.encryption ?? "AES256") === "KMS";
    const repositoryTags = repositories.tags ?? {};
    const resources: pulumi.Resource[] = [];
    const path = mapInput(coordinates, (c) => c.path);
    const region = mapInput(coordinates, (c) => c.region);

    // ECR applies a template's tags or KMS key with a role it assumes; without either, no role is needed.
    let role: aws.iam.Role | undefined;
    let rolePolicy: aws.iam.RolePolicy | undefined;
    if (kms || Object.keys(repositoryTags).length > 0) {
        role = new aws.iam.Role(
            `${name}-ecr-template`,
            {
                description: "Lets ECR apply the creation template's tags and KMS key to the Dify plugin repositories",
                assumeRolePolicy: mapInput(coordinates, (c) => policyJson(ecrServiceTrustPolicy(c.account))),
                tags: iamTags,
            },
            opts,
        );
        rolePolicy = new aws.iam.RolePolicy(
            `${name}-ecr-template`,
            {
                role: role.id,
                policy: pulumi
                    .all([coordinates, repositories.kmsKeyArn])
                    .apply(([c, key]) => policyJson(templateRolePolicy(c as Coordinates, kms ? (key as string) : undefined))),
            },
            opts,
        );
        resources.push(role, rolePolicy);
    }

    const template = new aws.ecr.RepositoryCreationTemplate(
        `${name}-ecr-template`,
        {
            prefix: path,
            region,
            appliedFors: ["CREATE_ON_PUSH"],
            description: "Dify plugin images (created on push by kaniko)",
            imageTagMutability: repositories.imageTagMutability ?? "MUTABLE",
            lifecyclePolicy: policyJson(lifecyclePolicy(repositories.keepLastImages ?? DEFAULT_KEEP_LAST_IMAGES)),
            encryptionConfigurations: [kms ? { encryptionType: "KMS", kmsKey: repositories.kmsKeyArn } : { encryptionType: "AES256" }],
            resourceTags: Object.keys(repositoryTags).length > 0 ? { ...repositoryTags } : undefined,
            // Through the policy's id: the role can act before ECR uses it for the first repository.
            customRoleArn: role && rolePolicy ? pulumi.all([role.arn, rolePolicy.id]).apply(([arn]) => arn) : undefined,
        },
        opts,
    );
    resources.push(template);

    let scanning: aws.ecr.RegistryScanningConfiguration | undefined;
    if (repositories.scanOnPush === true) {
        // One scanning configuration per registry and region: this replaces any rules set elsewhere (see docs/ecr.md).
        scanning = new aws.ecr.RegistryScanningConfiguration(
            `${name}-ecr-scanning`,
            {
                region,
                scanType: "BASIC",
                rules: [
                    {
                        scanFrequency: "SCAN_ON_PUSH",
                        repositoryFilters: [{ filter: mapInput(path, (p) => `${p}/*`), filterType: "WILDCARD" }],
                    },
                ],
            },
            opts,
        );
        resources.push(scanning);
    }
    return { template, role, scanning, resources };
}
