// ECR with IRSA or Pod Identity on an S3-backed Dify: the build role reads Dify's own bucket by default (kaniko takes
// the build context from it), read-only and nothing wider; a contradicting buildContextBucket is refused; S3 storage
// without a known bucket warns. IAM documents compared as parsed JSON.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry, DifyPluginRegistryArgs, planPluginRegistry } from "../components";
import { answerAws, answerInPartition } from "./support/awsAnswers";
import { AWS, assertNoWildcards, BUILD_ACTIONS, CN, LOGIN, one, type Partitioned, parsedInput, withEcr } from "./support/ecr";
import { evaluate, evaluateFailingLater, thrownBy } from "./support/evaluate";
import { registered, resetRecorded, settle } from "./support/mocks";

const s3Values = (bucketName?: unknown) => ({
    persistence: { type: "s3", s3: { ...(bucketName !== undefined ? { bucketName } : {}), region: "us-east-1" } },
});
const prefixArn = (p: Partitioned) => `arn:${p.partition}:ecr:${p.region}:${p.host.split(".")[0]}:repository/dify/*`;

describe("ECR build context on S3-backed Dify (chart.values.persistence.s3)", () => {
    before(() => answerAws());
    after(() => answerInPartition("aws"));

    for (const p of [AWS, CN]) {
        for (const auth of [{ oidcProviderArn: p.oidcProviderArn }, { mode: "podIdentity" as const, clusterName: "dify" }]) {
            const mode = auth.mode ?? "irsa";
            it(`${mode} (${p.partition}): the build role reads persistence.s3.bucketName's objects, and nothing wider`, async () => {
                answerInPartition(p.partition);
                const resources = await evaluate(
                    () =>
                        new DifyPluginRegistry(
                            "dify",
                            withEcr(
                                { prefix: `${p.host}/dify`, auth },
                                { chart: { version: "3.9.1", values: s3Values("acme-dify-storage") } },
                            ),
                        ),
                );
                const policy = parsedInput(one(resources, "aws:iam/rolePolicy:RolePolicy", "dify-ecr-build"), "policy");
                assert.deepEqual(policy, {
                    Version: "2012-10-17",
                    Statement: [
                        LOGIN,
                        { Sid: "PushPluginImages", Effect: "Allow", Action: BUILD_ACTIONS, Resource: prefixArn(p) },
                        {
                            Sid: "ReadBuildContext",
                            Effect: "Allow",
                            Action: "s3:GetObject",
                            Resource: `arn:${p.partition}:s3:::acme-dify-storage/*`,
                        },
                    ],
                });
                assertNoWildcards("build policy", policy);
                const runner = parsedInput(one(resources, "aws:iam/rolePolicy:RolePolicy", "dify-ecr-runner"), "policy");
                assert.ok(!JSON.stringify(runner).includes("s3:"), "runners read no storage");
            });
        }
    }

    it("an explicit buildContextBucket equal to Dify's bucket is accepted; other storage gets no S3 grant", async () => {
        assert.doesNotThrow(() =>
            planPluginRegistry(
                "ok",
                withEcr(
                    {
                        region: "us-east-1",
                        prefix: "dify",
                        auth: { oidcProviderArn: AWS.oidcProviderArn },
                        buildContextBucket: "acme-dify-storage",
                    },
                    { chart: { version: "3.9.1", values: s3Values("acme-dify-storage") } },
                ),
            ),
        );
        answerInPartition("aws");
        const resources = await evaluate(
            () =>
                new DifyPluginRegistry(
                    "dify",
                    withEcr(
                        { region: "us-east-1", prefix: "dify", auth: { oidcProviderArn: AWS.oidcProviderArn } },
                        { chart: { version: "3.9.1", values: { persistence: { type: "azure-blob" } } } },
                    ),
                ),
        );
        const policy = parsedInput(one(resources, "aws:iam/rolePolicy:RolePolicy", "dify-ecr-build"), "policy");
        assert.deepEqual(
            policy.Statement.map((s: { Sid: string }) => s.Sid),
            ["EcrLogin", "PushPluginImages"],
        );
    });

    it("a buildContextBucket that contradicts persistence.s3.bucketName is refused before anything registers", async () => {
        resetRecorded();
        const error = thrownBy(
            () =>
                new DifyPluginRegistry(
                    "bad",
                    withEcr(
                        {
                            region: "us-east-1",
                            prefix: "dify",
                            auth: { oidcProviderArn: AWS.oidcProviderArn },
                            buildContextBucket: "other-bucket",
                        },
                        { chart: { version: "3.9.1", values: s3Values("acme-dify-storage") } },
                    ),
                ),
        );
        await settle();
        assert.ok(pulumi.InputPropertiesError.isInstance(error), String(error));
        assert.ok(
            error.message.includes(
                'registry.buildContextBucket: "other-bucket" differs from chart.values.persistence.s3.bucketName "acme-dify-storage", the bucket Dify keeps plugin packages in',
            ),
            error.message,
        );
        assert.deepEqual(registered(), []);
    });

    it("the same contradiction given as Outputs fails before any child registers", async () => {
        const { error, resources } = await evaluateFailingLater(
            () =>
                new DifyPluginRegistry(
                    "later",
                    withEcr(
                        {
                            region: "us-east-1",
                            prefix: "dify",
                            auth: { oidcProviderArn: AWS.oidcProviderArn },
                            buildContextBucket: pulumi.output("other-bucket"),
                        },
                        {
                            chart: { version: "3.9.1", values: s3Values(pulumi.output("acme-dify-storage")) },
                        } as Partial<DifyPluginRegistryArgs>,
                    ),
                ),
        );
        assert.match(
            error.message,
            /^registry\.buildContextBucket: "other-bucket" differs from chart\.values\.persistence\.s3\.bucketName/,
        );
        assert.deepEqual(
            resources.map((r) => r.type),
            ["dify:index:PluginRegistry"],
        );
    });

    it("S3 storage without a bucket in chart.values warns that builds would be denied; accessKey asks nothing of the bucket", () => {
        const { warnings } = planPluginRegistry(
            "w",
            withEcr(
                { region: "us-east-1", prefix: "dify", auth: { oidcProviderArn: AWS.oidcProviderArn } },
                { chart: { version: "3.9.1", values: s3Values() } },
            ),
        );
        assert.equal(warnings.length, 1);
        assert.match(
            warnings[0],
            /^registry\.auth\.mode "irsa" with chart\.values\.persistence\.type "s3" but no persistence\.s3\.bucketName in chart\.values: the build role gets no read access/,
        );
        const accessKey = planPluginRegistry(
            "w",
            withEcr(
                { region: "us-east-1", prefix: "dify", auth: { mode: "accessKey" } },
                { chart: { version: "3.9.1", values: s3Values() } },
            ),
        );
        assert.deepEqual(accessKey.warnings, []);
    });
});
