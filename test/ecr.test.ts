/**
 * The ECR kind under the Pulumi mocks, IRSA and EKS Pod Identity, for aws and aws-cn: every registered resource with
 * its type, name, parent and inputs (IAM documents parsed), the values the chart gets, the outputs; the governance
 * template. (No-wildcard rule and the example stack: ecr.wildcards.test.ts; accessKey: ecr.accessKey.test.ts.)
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry, planPluginRegistry } from "../components";
import { ACCOUNT, answerAws, answerInPartition, CALLER_ACCOUNT, invokeCount, roleArn } from "./support/awsAnswers";
import {
    AWS,
    byTypeAndName,
    CN,
    connectorOf,
    dockerConfigOf,
    one,
    PARENT,
    parsedInput,
    Partitioned,
    withEcr,
    BUILD_ACTIONS,
    LOGIN,
    PULL_ACTIONS,
} from "./support/ecr";
import { evaluate } from "./support/evaluate";
import { RecordedResource, resolved } from "./support/mocks";

const LIFECYCLE_20 = {
    rules: [
        {
            rulePriority: 1,
            description: "keep the last 20 images",
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 },
            action: { type: "expire" },
        },
    ],
};

const irsaTrust = (p: Partitioned, sa: string) => ({
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "ServiceAccountWebIdentity",
            Effect: "Allow",
            Principal: { Federated: p.oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: { [`${p.issuer}:sub`]: `system:serviceaccount:dify:${sa}`, [`${p.issuer}:aud`]: "sts.amazonaws.com" },
            },
        },
    ],
});
const podIdentityTrust = (cluster: string, sa: string) => ({
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "EksPodIdentity",
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: {
                StringEquals: {
                    "aws:RequestTag/eks-cluster-name": cluster,
                    "aws:RequestTag/kubernetes-namespace": "dify",
                    "aws:RequestTag/kubernetes-service-account": sa,
                },
            },
        },
    ],
});
const prefixArn = (p: Partitioned, path: string) => `arn:${p.partition}:ecr:${p.region}:${ACCOUNT}:repository/${path}/*`;

describe("ECR registry (type: ecr)", () => {
    before(() => answerAws());
    after(() => answerInPartition("aws"));

    // aws gives region + path prefix; aws-cn gives the prefix behind the registry host (region and account read from it).
    const cases = [
        { p: AWS, path: "dify-plugins", registry: { region: AWS.region, prefix: "dify-plugins" } },
        { p: CN, path: "team/dify", registry: { prefix: `${CN.host}/team/dify` } },
    ];

    for (const { p, path: prefixPath, registry } of cases) {
        describe(`IRSA (${p.partition})`, () => {
            let resources: readonly RecordedResource[];
            let component: DifyPluginRegistry;
            let lookups: number;
            before(async () => {
                answerInPartition(p.partition);
                lookups = invokeCount("aws:index/getCallerIdentity:getCallerIdentity");
                resources = await evaluate(
                    () =>
                        (component = new DifyPluginRegistry(
                            "dify",
                            withEcr({ ...registry, auth: { oidcProviderArn: p.oidcProviderArn }, buildContextBucket: "dify-storage" }),
                        )),
                );
            });

            it("registers the template, two roles with inline policies, two ServiceAccounts, the Secret and the chart, all children of the component", () => {
                assert.deepEqual(byTypeAndName(resources), [
                    ["aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "dify-ecr-template", PARENT],
                    ["aws:iam/role:Role", "dify-ecr-build", PARENT],
                    ["aws:iam/role:Role", "dify-ecr-runner", PARENT],
                    ["aws:iam/rolePolicy:RolePolicy", "dify-ecr-build", PARENT],
                    ["aws:iam/rolePolicy:RolePolicy", "dify-ecr-runner", PARENT],
                    ["dify:index:PluginRegistry", "dify", undefined],
                    ["kubernetes:core/v1:Namespace", "dify-namespace", PARENT],
                    ["kubernetes:core/v1:Secret", "dify-image-repo-secret", PARENT],
                    ["kubernetes:core/v1:ServiceAccount", "dify-build-sa", PARENT],
                    ["kubernetes:core/v1:ServiceAccount", "dify-runner-sa", PARENT],
                    ["kubernetes:helm.sh/v4:Chart", "dify-dify", PARENT],
                ]);
                assert.equal(invokeCount("aws:index/getCallerIdentity:getCallerIdentity"), lookups, "the account came from the arguments");
            });

            it("trusts each role for exactly its ServiceAccount (sub) and STS (aud)", () => {
                for (const [which, sa] of [
                    ["build", "dify-plugin-build"],
                    ["runner", "dify-plugin-runner"],
                ]) {
                    const role = one(resources, "aws:iam/role:Role", `dify-ecr-${which}`);
                    assert.deepEqual(parsedInput(role, "assumeRolePolicy"), irsaTrust(p, sa));
                    assert.deepEqual(Object.keys(role.inputs).sort(), ["assumeRolePolicy", "description"]);
                }
            });

            it("grants build push/pull/create on the prefix and the bucket read, runner pull only", () => {
                const build = one(resources, "aws:iam/rolePolicy:RolePolicy", "dify-ecr-build");
                assert.equal(build.inputs.role, "dify-ecr-build-1a2b3c");
                assert.deepEqual(parsedInput(build, "policy"), {
                    Version: "2012-10-17",
                    Statement: [
                        LOGIN,
                        { Sid: "PushPluginImages", Effect: "Allow", Action: BUILD_ACTIONS, Resource: prefixArn(p, prefixPath) },
                        {
                            Sid: "ReadBuildContext",
                            Effect: "Allow",
                            Action: "s3:GetObject",
                            Resource: `arn:${p.partition}:s3:::dify-storage/*`,
                        },
                    ],
                });
                const runner = one(resources, "aws:iam/rolePolicy:RolePolicy", "dify-ecr-runner");
                assert.equal(runner.inputs.role, "dify-ecr-runner-1a2b3c");
                assert.deepEqual(parsedInput(runner, "policy"), {
                    Version: "2012-10-17",
                    Statement: [
                        LOGIN,
                        { Sid: "PullPluginImages", Effect: "Allow", Action: PULL_ACTIONS, Resource: prefixArn(p, prefixPath) },
                    ],
                });
            });

            it("annotates each ServiceAccount with its role", () => {
                for (const [which, sa] of [
                    ["build", "dify-plugin-build"],
                    ["runner", "dify-plugin-runner"],
                ]) {
                    assert.deepEqual(one(resources, "kubernetes:core/v1:ServiceAccount", `dify-${which}-sa`).inputs, {
                        apiVersion: "v1",
                        kind: "ServiceAccount",
                        metadata: {
                            name: sa,
                            namespace: "dify",
                            annotations: { "eks.amazonaws.com/role-arn": roleArn(`dify-ecr-${which}`, p.partition) },
                        },
                    });
                }
            });

            it("creates repositories on push through a template with the lifecycle policy, AES256 and mutable tags", () => {
                const template = one(resources, "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate");
                const { lifecyclePolicy, ...rest } = template.inputs;
                assert.deepEqual(rest, {
                    prefix: prefixPath,
                    region: p.region,
                    appliedFors: ["CREATE_ON_PUSH"],
                    description: "Dify plugin images (created on push by kaniko)",
                    imageTagMutability: "MUTABLE",
                    encryptionConfigurations: [{ encryptionType: "AES256" }],
                });
                assert.deepEqual(JSON.parse(lifecyclePolicy as string), LIFECYCLE_20);
            });

            it("image-repo-secret tells kaniko to log in with the ECR credential helper for the registry host", () => {
                assert.deepEqual(dockerConfigOf(resources), { auths: {}, credHelpers: { [p.host]: "ecr-login" } });
            });

            it("gives the chart the prefix, imageRepoType docker (no ecrRegion) and both ServiceAccounts", () => {
                assert.deepEqual(connectorOf(resources), {
                    imageRepoSecret: "image-repo-secret",
                    imageRepoPrefix: `${p.host}/${prefixPath}`,
                    imageRepoType: "docker",
                    insecureImageRepo: false,
                    customServiceAccount: "dify-plugin-build",
                    runnerServiceAccount: "dify-plugin-runner",
                });
            });

            it("exposes role ARNs, ServiceAccount names, registry host and template prefix, none secret", async () => {
                assert.deepEqual(await resolved(component.registryOutputs), {
                    authMode: "irsa",
                    registryHost: p.host,
                    region: p.region,
                    templatePrefix: prefixPath,
                    buildRoleArn: roleArn("dify-ecr-build", p.partition),
                    runnerRoleArn: roleArn("dify-ecr-runner", p.partition),
                    buildServiceAccount: "dify-plugin-build",
                    runnerServiceAccount: "dify-plugin-runner",
                });
                assert.equal(await resolved(component.imageRepoPrefix), `${p.host}/${prefixPath}`);
                assert.equal(await pulumi.isSecret(component.registryOutputs), false);
            });
        });

        describe(`EKS Pod Identity (${p.partition})`, () => {
            let resources: readonly RecordedResource[];
            before(async () => {
                answerInPartition(p.partition);
                const sa = { build: "plugin-build", runner: "plugin-run" };
                resources = await evaluate(
                    () =>
                        new DifyPluginRegistry(
                            "dify",
                            withEcr({
                                ...registry,
                                accountId: ACCOUNT,
                                auth: { mode: "podIdentity", clusterName: "prod" },
                                serviceAccounts: sa,
                            }),
                        ),
                );
            });

            it("trusts pods.eks.amazonaws.com for the one ServiceAccount and associates each role with it", () => {
                for (const [which, sa] of [
                    ["build", "plugin-build"],
                    ["runner", "plugin-run"],
                ]) {
                    assert.deepEqual(
                        parsedInput(one(resources, "aws:iam/role:Role", `dify-ecr-${which}`), "assumeRolePolicy"),
                        podIdentityTrust("prod", sa),
                    );
                    assert.deepEqual(one(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation", `dify-ecr-${which}`).inputs, {
                        clusterName: "prod",
                        namespace: "dify",
                        serviceAccount: sa,
                        roleArn: roleArn(`dify-ecr-${which}`, p.partition),
                    });
                    assert.deepEqual(
                        one(resources, "kubernetes:core/v1:ServiceAccount", `dify-${which}-sa`).inputs.metadata,
                        { name: sa, namespace: "dify" },
                        "no annotation",
                    );
                }
                const connector = connectorOf(resources);
                assert.equal(connector.customServiceAccount, "plugin-build");
                assert.equal(connector.runnerServiceAccount, "plugin-run");
                assert.equal(connector.imageRepoType, "docker");
                assert.deepEqual(
                    parsedInput(one(resources, "aws:iam/rolePolicy:RolePolicy", "dify-ecr-runner"), "policy").Statement[1].Resource,
                    prefixArn(p, prefixPath),
                );
            });
        });

        it(`imageRepoType "ecr" (${p.partition}): the chart gets ecrRegion, and the user a warning about the template`, async () => {
            const args = withEcr({ ...registry, auth: { oidcProviderArn: p.oidcProviderArn }, imageRepoType: "ecr" });
            const resources = await evaluate(() => new DifyPluginRegistry("dify", args));
            const connector = connectorOf(resources);
            assert.equal(connector.imageRepoType, "ecr");
            assert.equal(connector.ecrRegion, p.region);
            assert.match(
                planPluginRegistry("dify", args).warnings.join("\n"),
                /creation templates only apply to repositories ECR creates on push/,
            );
        });
    }

    describe("where the account and the OIDC issuer come from", () => {
        it("an issuer URL and an account id: the provider ARN is built, nothing is looked up", async () => {
            answerInPartition("aws");
            const issuerUrl = `https://${AWS.issuer}`;
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry(
                        "dify",
                        withEcr({ region: "us-east-1", prefix: "dify", accountId: ACCOUNT, auth: { oidcIssuerUrl: issuerUrl } }),
                    ),
            );
            assert.deepEqual(
                parsedInput(one(resources, "aws:iam/role:Role", "dify-ecr-build"), "assumeRolePolicy"),
                irsaTrust(AWS, "dify-plugin-build"),
            );
        });

        it("a cluster name and no account: the issuer from aws.eks.getCluster, the account from aws.getCallerIdentity", async () => {
            answerInPartition("aws-cn");
            const before = {
                cluster: invokeCount("aws:eks/getCluster:getCluster"),
                caller: invokeCount("aws:index/getCallerIdentity:getCallerIdentity"),
            };
            const resources = await evaluate(
                () => new DifyPluginRegistry("dify", withEcr({ region: "cn-north-1", prefix: "dify", auth: { clusterName: "dify-cn" } })),
            );
            assert.equal(invokeCount("aws:eks/getCluster:getCluster"), before.cluster + 1);
            assert.ok(invokeCount("aws:index/getCallerIdentity:getCallerIdentity") > before.caller);
            const issuer = "oidc.eks.cn-north-1.amazonaws.com.cn/id/LOOKEDUP";
            const trust = parsedInput(one(resources, "aws:iam/role:Role", "dify-ecr-runner"), "assumeRolePolicy");
            assert.equal(trust.Statement[0].Principal.Federated, `arn:aws-cn:iam::${CALLER_ACCOUNT}:oidc-provider/${issuer}`);
            assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
                [`${issuer}:sub`]: "system:serviceaccount:dify:dify-plugin-runner",
                [`${issuer}:aud`]: "sts.amazonaws.com",
            });
            assert.equal(connectorOf(resources).imageRepoPrefix, `${CALLER_ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/dify`);
        });
    });

    describe("repository governance options", () => {
        let resources: readonly RecordedResource[];
        const key = `arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        before(async () => {
            answerInPartition("aws-cn");
            const repositories = {
                keepLastImages: 5,
                imageTagMutability: "IMMUTABLE",
                encryption: "KMS",
                kmsKeyArn: key,
                tags: { team: "ai" },
                scanOnPush: true,
            } as const;
            resources = await evaluate(
                () =>
                    new DifyPluginRegistry(
                        "dify",
                        withEcr({
                            prefix: `${CN.host}/dify`,
                            auth: { oidcProviderArn: CN.oidcProviderArn },
                            repositories,
                            tags: { owner: "platform" },
                        }),
                    ),
            );
        });

        it("KMS and tags: a role ECR assumes (tagged), scoped to the prefix and the key, named in the template", () => {
            const role = one(resources, "aws:iam/role:Role", "dify-ecr-template");
            assert.deepEqual(parsedInput(role, "assumeRolePolicy").Statement, [
                {
                    Sid: "EcrRepositoryCreation",
                    Effect: "Allow",
                    Principal: { Service: "ecr.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
                },
            ]);
            assert.deepEqual(role.inputs.tags, { owner: "platform" });
            assert.deepEqual(parsedInput(one(resources, "aws:iam/rolePolicy:RolePolicy", "dify-ecr-template"), "policy").Statement, [
                {
                    Sid: "CreateTemplatedRepositories",
                    Effect: "Allow",
                    Action: ["ecr:CreateRepository", "ecr:TagResource"],
                    Resource: `arn:aws-cn:ecr:cn-north-1:${ACCOUNT}:repository/dify/*`,
                },
                {
                    Sid: "EncryptWithKey",
                    Effect: "Allow",
                    Action: ["kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"],
                    Resource: key,
                },
            ]);
            const template = one(resources, "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate").inputs;
            assert.equal(template.customRoleArn, roleArn("dify-ecr-template", "aws-cn"));
            assert.deepEqual(template.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey: key }]);
            assert.deepEqual(template.resourceTags, { team: "ai" });
            assert.equal(template.imageTagMutability, "IMMUTABLE");
            assert.equal(JSON.parse(template.lifecyclePolicy as string).rules[0].selection.countNumber, 5);
            assert.deepEqual(one(resources, "aws:iam/role:Role", "dify-ecr-build").inputs.tags, { owner: "platform" });
        });

        it("scan-on-push (opt-in): the registry scanning configuration for <prefix>/*", () => {
            assert.deepEqual(one(resources, "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration").inputs, {
                region: "cn-north-1",
                scanType: "BASIC",
                rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "dify/*", filterType: "WILDCARD" }] }],
            });
        });
    });
});
