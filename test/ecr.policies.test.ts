/**
 * The ECR kind's pure builders, without Pulumi: partitions and hosts, prefix grammar, OIDC providers, every IAM
 * document (compared as parsed JSON, exact) and the lifecycle policy. (The other builders: ecr.specs.test.ts.)
 */
import * as assert from "node:assert/strict";
import { BUILD_ACTIONS, LOGIN, PULL_ACTIONS, AWS_COORDINATES as AWS, CN_COORDINATES as CN } from "./support/ecr";
import {
    issuerHostPath,
    issuerUrlProblem,
    kmsKeyArnProblem,
    oidcProviderArn,
    oidcProviderArnProblem,
    parseOidcProviderArn,
    partitionOf,
    prefixProblem,
    regionProblem,
    registryHost,
    splitPrefix,
} from "../components/registries/ecr/partition";
import {
    buildPermissionPolicy,
    ecrServiceTrustPolicy,
    irsaTrustPolicy,
    lifecyclePolicy,
    podIdentityTrustPolicy,
    policyJson,
    runnerPermissionPolicy,
    templateRolePolicy,
} from "../components/registries/ecr/policies";

/** Round-trips through JSON, as IAM receives the document. */
const parsed = (doc: object) => JSON.parse(policyJson(doc));

describe("ECR builders", () => {
    describe("partitions, regions and hosts", () => {
        for (const [region, partition, host] of [
            ["us-east-1", "aws", "123456789012.dkr.ecr.us-east-1.amazonaws.com"],
            ["eu-central-2", "aws", "123456789012.dkr.ecr.eu-central-2.amazonaws.com"],
            ["cn-north-1", "aws-cn", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"],
            ["cn-northwest-1", "aws-cn", "123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn"],
            ["us-gov-west-1", "aws-us-gov", "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com"],
        ] as const) {
            it(`${region}: partition ${partition}, host ${host}`, () => {
                assert.equal(regionProblem(region), undefined);
                assert.equal(partitionOf(region), partition);
                assert.equal(registryHost("123456789012", region), host);
            });
        }

        it("rejects names that are not AWS regions, and isolated partitions", () => {
            for (const bad of ["US-EAST-1", "us-east", "useast1", "us_east_1", "", "cn-north-1 "]) {
                assert.match(regionProblem(bad)!, /is required|is not an AWS region name/, bad);
            }
            assert.match(regionProblem("us-iso-east-1")!, /isolated AWS partition/);
        });
    });

    describe("prefix", () => {
        it("is a repository path, or the same behind the registry host (aws and aws-cn)", () => {
            assert.deepEqual(splitPrefix("team/dify-plugins"), { path: "team/dify-plugins" });
            assert.deepEqual(splitPrefix("dify.plugins/x"), { path: "dify.plugins/x" });
            assert.deepEqual(splitPrefix("123456789012.dkr.ecr.us-east-1.amazonaws.com/dify"), {
                host: { name: "123456789012.dkr.ecr.us-east-1.amazonaws.com", account: "123456789012", region: "us-east-1" },
                path: "dify",
            });
            assert.deepEqual(splitPrefix("123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn/a/b").host?.region, "cn-northwest-1");
            for (const ok of [
                "dify-plugins",
                "team/dify_plugins",
                "dify.plugins/x",
                "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/dify",
            ]) {
                assert.equal(prefixProblem(ok), undefined, ok);
            }
        });

        for (const [prefix, reason] of [
            ["Dify-Plugins", /has uppercase letters/],
            ["/dify-plugins", /leading or trailing slash/],
            ["dify-plugins/", /leading or trailing slash/],
            ["dify/../plugins", /empty or '\.\.' path segment/],
            ["https://123456789012.dkr.ecr.us-east-1.amazonaws.com/dify", /has a scheme/],
            ["dify:latest", /tag or digest/],
            ["harbor.example.com/dify", /is not an ECR registry host/],
            ["123456789012.dkr.ecr.cn-north-1.amazonaws.com/dify", /must end in \.amazonaws\.com\.cn for region cn-north-1/],
            ["123456789012.dkr.ecr.us-east-1.amazonaws.com.cn/dify", /must end in \.amazonaws\.com for region us-east-1/],
            ["123456789012.dkr.ecr.us-east-1.amazonaws.com", /no repository path after the registry host/],
            ["a".repeat(201), /longer than 200 characters/],
            ["", /is required/],
        ] as const) {
            it(`rejects ${JSON.stringify(prefix.length > 40 ? `${prefix.slice(0, 20)}…` : prefix)}`, () => {
                assert.match(prefixProblem(prefix)!, reason);
            });
        }
    });

    describe("OIDC providers", () => {
        it("reads partition, account and issuer from a provider ARN, and builds one from an issuer URL", () => {
            const arn = "arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC";
            assert.deepEqual(parseOidcProviderArn(arn), {
                partition: "aws-cn",
                account: "123456789012",
                issuer: "oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC",
            });
            assert.equal(oidcProviderArn("aws-cn", "123456789012", "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC/"), arn);
            assert.equal(issuerHostPath("https://oidc.eks.us-east-1.amazonaws.com/id/X"), "oidc.eks.us-east-1.amazonaws.com/id/X");
        });

        it("rejects an issuer URL without https:// and a malformed provider ARN", () => {
            assert.match(issuerUrlProblem("oidc.eks.us-east-1.amazonaws.com/id/X")!, /must start with https:\/\//);
            assert.match(issuerUrlProblem("http://oidc.eks.us-east-1.amazonaws.com/id/X")!, /must start with https:\/\//);
            assert.equal(issuerUrlProblem("https://oidc.eks.us-east-1.amazonaws.com/id/X"), undefined);
            assert.match(oidcProviderArnProblem("arn:aws:iam::123:oidc-provider/x")!, /is not an IAM OIDC provider ARN/);
            assert.match(oidcProviderArnProblem("arn:aws:iam::123456789012:role/x")!, /is not an IAM OIDC provider ARN/);
            assert.match(kmsKeyArnProblem("alias/ecr")!, /is not a KMS key ARN/);
        });
    });

    describe("trust policies", () => {
        for (const [partition, issuer] of [
            ["aws", "oidc.eks.us-east-1.amazonaws.com/id/ABC"],
            ["aws-cn", "oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC"],
        ] as const) {
            it(`IRSA (${partition}): one ServiceAccount (sub) and STS (aud), nothing else`, () => {
                const provider = `arn:${partition}:iam::123456789012:oidc-provider/${issuer}`;
                const doc = irsaTrustPolicy({
                    oidcProviderArn: provider,
                    issuer: `https://${issuer}`,
                    namespace: "dify",
                    serviceAccount: "dify-plugin-build",
                });
                assert.deepEqual(parsed(doc), {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ServiceAccountWebIdentity",
                            Effect: "Allow",
                            Principal: { Federated: provider },
                            Action: "sts:AssumeRoleWithWebIdentity",
                            Condition: {
                                StringEquals: {
                                    [`${issuer}:sub`]: "system:serviceaccount:dify:dify-plugin-build",
                                    // EKS projects sts.amazonaws.com as the audience in China too.
                                    [`${issuer}:aud`]: "sts.amazonaws.com",
                                },
                            },
                        },
                    ],
                });
            });
        }

        it("Pod Identity: pods.eks.amazonaws.com, AssumeRole + TagSession, narrowed by the session tags", () => {
            assert.deepEqual(
                parsed(podIdentityTrustPolicy({ clusterName: "prod", namespace: "dify", serviceAccount: "dify-plugin-runner" })),
                {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "EksPodIdentity",
                            Effect: "Allow",
                            Principal: { Service: "pods.eks.amazonaws.com" },
                            Action: ["sts:AssumeRole", "sts:TagSession"],
                            Condition: {
                                StringEquals: {
                                    "aws:RequestTag/eks-cluster-name": "prod",
                                    "aws:RequestTag/kubernetes-namespace": "dify",
                                    "aws:RequestTag/kubernetes-service-account": "dify-plugin-runner",
                                },
                            },
                        },
                    ],
                },
            );
        });

        it("the template role is assumed by ECR only, acting for the registry's own account (aws:SourceAccount)", () => {
            assert.deepEqual(parsed(ecrServiceTrustPolicy("123456789012")), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "EcrRepositoryCreation",
                        Effect: "Allow",
                        Principal: { Service: "ecr.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
                    },
                ],
            });
        });
    });

    describe("permission policies", () => {
        it("build (aws): login on *, push/pull/create on the prefix only, S3 read of the build-context bucket", () => {
            assert.deepEqual(parsed(buildPermissionPolicy(AWS, "dify-storage")), {
                Version: "2012-10-17",
                Statement: [
                    LOGIN,
                    {
                        Sid: "PushPluginImages",
                        Effect: "Allow",
                        Action: BUILD_ACTIONS,
                        Resource: "arn:aws:ecr:us-east-1:123456789012:repository/dify-plugins/*",
                    },
                    { Sid: "ReadBuildContext", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::dify-storage/*" },
                ],
            });
        });

        it("build (aws-cn): arn:aws-cn: ARNs, no bucket statement without a bucket", () => {
            assert.deepEqual(parsed(buildPermissionPolicy(CN)), {
                Version: "2012-10-17",
                Statement: [
                    LOGIN,
                    {
                        Sid: "PushPluginImages",
                        Effect: "Allow",
                        Action: BUILD_ACTIONS,
                        Resource: "arn:aws-cn:ecr:cn-north-1:123456789012:repository/team/dify/*",
                    },
                ],
            });
            assert.equal(parsed(buildPermissionPolicy(CN, "b-cn")).Statement[2].Resource, "arn:aws-cn:s3:::b-cn/*");
        });

        for (const c of [AWS, CN]) {
            it(`runner (${c.partition}): login and the three pull actions on the prefix`, () => {
                assert.deepEqual(parsed(runnerPermissionPolicy(c)), {
                    Version: "2012-10-17",
                    Statement: [
                        LOGIN,
                        {
                            Sid: "PullPluginImages",
                            Effect: "Allow",
                            Action: PULL_ACTIONS,
                            Resource: `arn:${c.partition}:ecr:${c.region}:${c.account}:repository/${c.path}/*`,
                        },
                    ],
                });
            });
        }

        it("template role: create and tag under the prefix, and the one KMS key", () => {
            const key = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            assert.deepEqual(parsed(templateRolePolicy(CN, key)), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "CreateTemplatedRepositories",
                        Effect: "Allow",
                        Action: ["ecr:CreateRepository", "ecr:TagResource"],
                        Resource: "arn:aws-cn:ecr:cn-north-1:123456789012:repository/team/dify/*",
                    },
                    {
                        Sid: "EncryptWithKey",
                        Effect: "Allow",
                        Action: ["kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"],
                        Resource: key,
                    },
                ],
            });
            assert.equal(parsed(templateRolePolicy(AWS)).Statement.length, 1);
        });
    });

    it("lifecycle policy: keep the last N images of each repository", () => {
        assert.deepEqual(parsed(lifecyclePolicy(7)), {
            rules: [
                {
                    rulePriority: 1,
                    description: "keep the last 7 images",
                    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 7 },
                    action: { type: "expire" },
                },
            ],
        });
    });
});
