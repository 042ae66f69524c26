/** Fixtures and helpers shared by the ECR kind's tests (test/ecr*.test.ts). */
import * as assert from "node:assert/strict";
import { DifyPluginRegistryArgs, EcrRegistryArgs } from "../../components";
import { Coordinates } from "../../components/registries/ecr/partition";
import { ACCOUNT } from "./awsAnswers";
import { RecordedResource } from "./mocks";

export const PARENT = "dify:index:PluginRegistry::dify";

/** What the build role may do on the plugin prefix (besides GetAuthorizationToken): push, pull, describe, create, tag. */
export const BUILD_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:CreateRepository",
    "ecr:DescribeImages",
    "ecr:DescribeRepositories",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:TagResource",
    "ecr:UploadLayerPart",
];
/** What the runner role may do on the plugin prefix: pull. */
export const PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
/** The one statement allowed on `*`. */
export const LOGIN = { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" };

/** Resolved coordinates in each partition, for the pure builders. */
export const AWS_COORDINATES: Coordinates = {
    partition: "aws",
    region: "us-east-1",
    account: "123456789012",
    host: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
    path: "dify-plugins",
};
export const CN_COORDINATES: Coordinates = {
    partition: "aws-cn",
    region: "cn-north-1",
    account: "123456789012",
    host: "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
    path: "team/dify",
};

/** One partition's worth of example values. */
export interface Partitioned {
    readonly partition: "aws" | "aws-cn";
    readonly region: string;
    readonly host: string;
    readonly issuer: string;
    readonly oidcProviderArn: string;
}

export const AWS: Partitioned = {
    partition: "aws",
    region: "us-east-1",
    host: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`,
    issuer: "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
    oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`,
};

export const CN: Partitioned = {
    partition: "aws-cn",
    region: "cn-north-1",
    host: `${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn`,
    issuer: "oidc.eks.cn-north-1.amazonaws.com.cn/id/EXAMPLE0C0E1F2A3B4C5D6E7F8A9B0C",
    oidcProviderArn: `arn:aws-cn:iam::${ACCOUNT}:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/EXAMPLE0C0E1F2A3B4C5D6E7F8A9B0C`,
};

export const withEcr = (registry: Omit<EcrRegistryArgs, "type">, extra: Partial<DifyPluginRegistryArgs> = {}): DifyPluginRegistryArgs => ({
    registry: { type: "ecr", ...registry } as EcrRegistryArgs,
    chart: { version: "3.9.1" },
    ...extra,
});

import { dockerConfigOf as genericDockerConfigOf, one } from "./recorded";

export { byTypeAndName, connectorOf, one } from "./recorded";

/** A JSON document held in a string input (IAM policies, the lifecycle policy), parsed. */
export function parsedInput(r: RecordedResource, key: string): any {
    assert.equal(typeof r.inputs[key], "string", `${r.type} ${r.name}.${key} is a JSON string`);
    return JSON.parse(r.inputs[key] as string);
}

/** image-repo-secret's docker config (see ./recorded), in the namespace the ECR tests use. */
export function dockerConfigOf(resources: readonly RecordedResource[]): unknown {
    assert.equal((one(resources, "kubernetes:core/v1:Secret").inputs.metadata as { namespace?: string }).namespace, "dify");
    return genericDockerConfigOf(resources);
}

/** Every IAM document registered: trust policies of roles, inline policies of roles and users. */
export function iamDocuments(resources: readonly RecordedResource[]): { where: string; doc: any }[] {
    const docs: { where: string; doc: any }[] = [];
    for (const r of resources) {
        for (const key of ["assumeRolePolicy", "policy"]) {
            if (r.type.startsWith("aws:iam/") && typeof r.inputs[key] === "string") {
                docs.push({ where: `${r.type} ${r.name}.${key}`, doc: JSON.parse(r.inputs[key] as string) });
            }
        }
    }
    return docs;
}

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v as string]);

/**
 * Fails on any statement with a wildcard action (`*`, `ecr:*`, `ecr:Get*`) or a `*` resource granted for anything but
 * `ecr:GetAuthorizationToken` (which has no resource-level form).
 */
export function assertNoWildcards(where: string, doc: { Statement: object[] }): void {
    assert.ok(Array.isArray(doc.Statement) && doc.Statement.length > 0, `${where} has statements`);
    for (const statement of doc.Statement as Record<string, unknown>[]) {
        assert.equal(statement.NotAction, undefined, `${where}: no NotAction`);
        assert.equal(statement.NotResource, undefined, `${where}: no NotResource`);
        const actions = asList(statement.Action);
        assert.ok(actions.length > 0, `${where}: a statement without actions`);
        for (const action of actions) {
            assert.ok(!action.includes("*") && !action.includes("?"), `${where}: wildcard action ${action}`);
        }
        for (const resource of asList(statement.Resource)) {
            if (resource === "*") {
                assert.deepEqual(actions, ["ecr:GetAuthorizationToken"], `${where}: "*" resource for ${actions.join(", ")}`);
            } else {
                assert.ok(
                    !/^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(resource) && !resource.endsWith(":*"),
                    `${where}: unscoped resource ${resource}`,
                );
            }
        }
    }
}
