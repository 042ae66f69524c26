/**
 * Over every ECR mode and both partitions: no IAM statement grants a wildcard action, and `*` is granted for nothing
 * but `ecr:GetAuthorizationToken`. And the example stack file, evaluated offline as `npm run synth` does.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry } from "../components";
import { synthStack } from "../program/offline/synth";
import { readStackFile, stackFilePath } from "../program/offline/stackFile";
import { ACCOUNT, answerAws, answerInPartition, invokeCount } from "./support/awsAnswers";
import { assertNoWildcards, AWS, CN, iamDocuments, withEcr } from "./support/ecr";
import { evaluate } from "./support/evaluate";
import { useMocks } from "./support/mocks";

const ROOT = path.resolve(__dirname, "..");

describe("ECR registry: IAM without wildcards, and the example stack", () => {
    before(() => answerAws());
    after(() => answerInPartition("aws"));

    describe("no IAM wildcards", () => {
        const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        for (const p of [AWS, CN]) {
            for (const [mode, auth] of [
                ["irsa", { oidcProviderArn: p.oidcProviderArn }],
                ["podIdentity", { mode: "podIdentity", clusterName: "prod" }],
                ["accessKey", { mode: "accessKey" }],
            ] as const) {
                it(`${p.partition} ${mode}: no wildcard action, and "*" only for ecr:GetAuthorizationToken`, async () => {
                    answerInPartition(p.partition);
                    const repositories = p === AWS ? { encryption: "KMS" as const, kmsKeyArn: key, tags: { a: "b" } } : {};
                    const resources = await evaluate(
                        () =>
                            new DifyPluginRegistry(
                                "dify",
                                withEcr({
                                    region: p.region,
                                    prefix: "dify",
                                    accountId: ACCOUNT,
                                    auth,
                                    repositories,
                                    buildContextBucket: mode === "accessKey" ? undefined : "ctx",
                                }),
                            ),
                    );
                    const docs = iamDocuments(resources);
                    assert.ok(docs.length >= (mode === "accessKey" ? 1 : 4), `found ${docs.length} IAM documents`);
                    for (const { where, doc } of docs) {
                        assertNoWildcards(where, doc);
                    }
                });
            }
        }
    });

    describe("stacks/Pulumi.ecr.yaml", () => {
        after(() => {
            pulumi.runtime.setAllConfig({});
            useMocks();
        });

        it("validates and evaluates offline, without any cloud lookup", async () => {
            answerAws();
            const result = await synthStack("ecr", readStackFile(stackFilePath(ROOT, "ecr")));
            const types = result.resources.map((r) => r.type);
            for (const type of [
                "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
                "aws:iam/role:Role",
                "kubernetes:core/v1:ServiceAccount",
                "kubernetes:helm.sh/v3:Release",
            ]) {
                assert.ok(types.includes(type), `${type} is registered`);
            }
            assert.equal(invokeCount("aws:index/getCallerIdentity:getCallerIdentity") + invokeCount("aws:eks/getCluster:getCluster"), 0);
            const connector = result.pluginConnector as Record<string, unknown>;
            assert.equal(connector.imageRepoPrefix, `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/dify/plugins`);
            assert.equal(connector.imageRepoType, "docker");
            assert.equal(connector.customServiceAccount, "dify-plugin-build");
            assert.equal(connector.runnerServiceAccount, "dify-plugin-runner");
            for (const { where, doc } of iamDocuments(result.resources)) {
                assertNoWildcards(where, doc);
            }
        });
    });
});
