/**
 * IAM documents and the ECR lifecycle policy, as plain data (pure functions, no Pulumi), so tests parse and compare
 * them exactly. Least privilege: `ecr:GetAuthorizationToken` is the only action granted on `*` (it has no resource
 * form); everything else is scoped to the repositories under the plugin prefix, the build-context bucket or the KMS key.
 */
import { Coordinates, issuerHostPath, prefixRepositoriesArn } from "./partition";

/** One IAM policy statement, in the JSON shape IAM takes (only `Allow` is ever granted). */
export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect: "Allow";
    readonly Principal?: Readonly<Record<string, string>>;
    readonly Action: string | readonly string[];
    readonly Resource?: string | readonly string[];
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** An IAM policy document (permissions or trust), in the JSON shape IAM takes. */
export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly PolicyStatement[];
}

/** What pulling an image needs, per repository. */
export const ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] as const;
/** What pushing an image needs, per repository (besides the pull actions kaniko uses to skip existing layers). */
export const ECR_PUSH_ACTIONS = ["ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"] as const;
/**
 * Build pods, per repository under the prefix: push and pull, plus what repository creation needs — on push through
 * the creation template, or by Dify itself with `imageRepoType: ecr` (describe, then create and tag).
 */
export const ECR_BUILD_ACTIONS = [
    ...ECR_PULL_ACTIONS,
    ...ECR_PUSH_ACTIONS,
    "ecr:CreateRepository",
    "ecr:DescribeImages",
    "ecr:DescribeRepositories",
    "ecr:TagResource",
].sort();

/** The audience EKS projects into IRSA tokens, in every partition (China included). */
export const IRSA_AUDIENCE = "sts.amazonaws.com";
/** The service principal of EKS Pod Identity (the same in every partition). */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";

const document = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/** Serialised as IAM receives it (stable key order, so an unchanged stack previews without a diff). */
export function policyJson(doc: PolicyDocument | object): string {
    return JSON.stringify(doc);
}

const login: PolicyStatement = { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" };

/**
 * IRSA trust: only the one ServiceAccount may assume the role, and only with a token minted for STS. (The official
 * Terraform for Dify has no condition, which lets any workload in the cluster assume the role.)
 */
export function irsaTrustPolicy(a: { oidcProviderArn: string; issuer: string; namespace: string; serviceAccount: string }): PolicyDocument {
    const issuer = issuerHostPath(a.issuer);
    return document({
        Sid: "ServiceAccountWebIdentity",
        Effect: "Allow",
        Principal: { Federated: a.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: {
                [`${issuer}:sub`]: `system:serviceaccount:${a.namespace}:${a.serviceAccount}`,
                [`${issuer}:aud`]: IRSA_AUDIENCE,
            },
        },
    });
}

/**
 * EKS Pod Identity trust, narrowed with the session tags Pod Identity sets (AWS's documented example) to the one
 * cluster, namespace and ServiceAccount: another association in the account cannot use the role.
 */
export function podIdentityTrustPolicy(a: { clusterName: string; namespace: string; serviceAccount: string }): PolicyDocument {
    return document({
        Sid: "EksPodIdentity",
        Effect: "Allow",
        Principal: { Service: POD_IDENTITY_PRINCIPAL },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
            StringEquals: {
                "aws:RequestTag/eks-cluster-name": a.clusterName,
                "aws:RequestTag/kubernetes-namespace": a.namespace,
                "aws:RequestTag/kubernetes-service-account": a.serviceAccount,
            },
        },
    });
}

/** Build pods (kaniko) or the access-key user: log in, push, pull and create repositories under the prefix. */
export function buildPermissionPolicy(c: Coordinates, buildContextBucket?: string): PolicyDocument {
    const statements: PolicyStatement[] = [
        login,
        { Sid: "PushPluginImages", Effect: "Allow", Action: ECR_BUILD_ACTIONS, Resource: prefixRepositoriesArn(c) },
    ];
    if (buildContextBucket !== undefined) {
        // kaniko downloads the build context object; it lists nothing and writes nothing.
        statements.push({
            Sid: "ReadBuildContext",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: `arn:${c.partition}:s3:::${buildContextBucket}/*`,
        });
    }
    return document(...statements);
}

/** Plugin runner pods: log in and pull under the prefix. */
export function runnerPermissionPolicy(c: Coordinates): PolicyDocument {
    return document(login, { Sid: "PullPluginImages", Effect: "Allow", Action: [...ECR_PULL_ACTIONS], Resource: prefixRepositoriesArn(c) });
}

/**
 * Trust of the role ECR assumes to apply a creation template's tags or KMS key (as AWS documents it), for the
 * registry's own account only: `aws:SourceAccount` keeps ECR acting for another account from assuming it
 * (confused-deputy protection).
 */
export function ecrServiceTrustPolicy(account: string): PolicyDocument {
    return document({
        Sid: "EcrRepositoryCreation",
        Effect: "Allow",
        Principal: { Service: "ecr.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": account } },
    });
}

/**
 * What ECR does with the template's role: create and tag repositories under the prefix and, with KMS, use the one key.
 * AWS's example grants these on `*`; here they are scoped.
 */
export function templateRolePolicy(c: Coordinates, kmsKeyArn?: string): PolicyDocument {
    const statements: PolicyStatement[] = [
        {
            Sid: "CreateTemplatedRepositories",
            Effect: "Allow",
            Action: ["ecr:CreateRepository", "ecr:TagResource"],
            Resource: prefixRepositoriesArn(c),
        },
    ];
    if (kmsKeyArn !== undefined) {
        statements.push({
            Sid: "EncryptWithKey",
            Effect: "Allow",
            Action: ["kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"],
            Resource: kmsKeyArn,
        });
    }
    return document(...statements);
}

/** ECR lifecycle policy: keep the last `keep` images of each repository (tagged or not), expire older ones. */
export function lifecyclePolicy(keep: number): { rules: object[] } {
    return {
        rules: [
            {
                rulePriority: 1,
                description: `keep the last ${keep} images`,
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
                action: { type: "expire" },
            },
        ],
    };
}
