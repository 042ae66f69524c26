/**
 * Issue 20, item 7: docs/ecr-deployer-policy.json, the IAM policy docs/ecr.md's guide attaches to the identity running
 * `pulumi up`. Held to its shape (what IAM accepts, no wildcard actions, `*` only where AWS has no resource-level form)
 * and to what the `ecr` stack really creates: every AWS resource type it registers has the calls its provider makes
 * granted, on ARNs that match the names and prefix it registers.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runStack } from "../program/main";
import { readStackFile, stackFilePath } from "../program/offline/stackFile";
import { answerAws } from "./support/awsAnswers";
import { evaluate } from "./support/evaluate";
import { useMocks } from "./support/mocks";

const ROOT = path.resolve(__dirname, "..");
const POLICY = path.join(ROOT, "docs", "ecr-deployer-policy.json");

interface Statement {
    Sid: string;
    Effect: string;
    Action: string[];
    Resource: string;
    Condition?: Record<string, Record<string, string>>;
}

/**
 * The calls the AWS provider makes to create, read, update and delete each resource type (Terraform's aws provider,
 * which @pulumi/aws wraps). A type the stack registers that is missing here fails the test: add its calls here and to
 * the policy.
 */
const CALLS: Readonly<Record<string, readonly string[]>> = {
    "aws:iam/role:Role": [
        "iam:CreateRole",
        "iam:GetRole",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
        "iam:UpdateAssumeRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:DeleteRole",
    ],
    "aws:iam/rolePolicy:RolePolicy": ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"],
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": [
        "ecr:CreateRepositoryCreationTemplate",
        "ecr:DescribeRepositoryCreationTemplates",
        "ecr:UpdateRepositoryCreationTemplate",
        "ecr:DeleteRepositoryCreationTemplate",
        // ECR's documented permissions for managing a template with a lifecycle policy and a custom role.
        "ecr:CreateRepository",
        "ecr:PutLifecyclePolicy",
        "iam:PassRole",
    ],
};

/** IAM's wildcard match (`*` any run of characters), anchored. */
const matches = (pattern: string, arn: string) =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(arn);

describe("docs/ecr-deployer-policy.json: the deployer's IAM policy", () => {
    const doc = JSON.parse(fs.readFileSync(POLICY, "utf8")) as { Version: string; Statement: Statement[] };

    it("is an IAM policy document: version, unique Sids, Allow only, named actions, no wildcard action", () => {
        assert.deepEqual(Object.keys(doc).sort(), ["Statement", "Version"]);
        assert.equal(doc.Version, "2012-10-17");
        const sids = doc.Statement.map((s) => s.Sid);
        assert.equal(new Set(sids).size, sids.length, `duplicate Sid in ${sids.join(", ")}`);
        for (const s of doc.Statement) {
            assert.ok(/^[A-Za-z0-9]+$/.test(s.Sid), `Sid ${s.Sid}: IAM allows [A-Za-z0-9] only`);
            assert.equal(s.Effect, "Allow");
            assert.ok(Array.isArray(s.Action) && s.Action.length > 0, `${s.Sid}: Action`);
            for (const action of s.Action) assert.match(action, /^(iam|ecr):[A-Z][A-Za-z]+$/, `${s.Sid}: ${action}`);
            assert.equal(typeof s.Resource, "string");
            assert.ok(s.Resource === "*" || s.Resource.startsWith("arn:aws:"), `${s.Sid}: ${s.Resource}`);
        }
        // `*` only for the template calls, which name no repository (ECR states no resource type for them).
        const onEverything = doc.Statement.filter((s) => s.Resource === "*").flatMap((s) => s.Action);
        assert.deepEqual(
            onEverything.filter((a) => !a.includes("RepositoryCreationTemplate")),
            [],
        );
        // A role may be handed to ECR only, and only the template's.
        const pass = doc.Statement.find((s) => s.Action.includes("iam:PassRole"))!;
        assert.deepEqual(pass.Action, ["iam:PassRole"]);
        assert.deepEqual(pass.Condition, { StringEquals: { "iam:PassedToService": "ecr.amazonaws.com" } });
    });

    describe("against what stacks/Pulumi.ecr.yaml creates", () => {
        let registeredTypes: Map<string, string[]>;
        before(async () => {
            answerAws();
            const file = readStackFile(stackFilePath(ROOT, "ecr"));
            pulumi.runtime.setAllConfig(file.config, file.secretKeys);
            const resources = await evaluate(() => runStack());
            registeredTypes = new Map();
            for (const r of resources.filter((r) => r.type.startsWith("aws:"))) {
                registeredTypes.set(r.type, [...(registeredTypes.get(r.type) ?? []), r.name]);
            }
        });
        after(() => {
            pulumi.runtime.setAllConfig({});
            useMocks();
        });

        it("grants every call of every AWS resource type the stack registers", () => {
            assert.ok(registeredTypes.size > 0);
            const granted = new Set(doc.Statement.flatMap((s) => s.Action));
            for (const type of registeredTypes.keys()) {
                assert.ok(CALLS[type], `the ecr stack registers ${type}: add its calls to CALLS and to docs/ecr-deployer-policy.json`);
                for (const call of CALLS[type]) assert.ok(granted.has(call), `${type} needs ${call}`);
            }
        });

        it("on the ARNs of the roles it names (auto-named with a suffix) and of the repositories under its prefix", () => {
            const account = "123456789012";
            const resourceOf = (action: string) => doc.Statement.filter((s) => s.Action.includes(action)).map((s) => s.Resource);
            for (const name of registeredTypes.get("aws:iam/role:Role")!) {
                const arn = `arn:aws:iam::${account}:role/${name}-a1b2c3d`;
                assert.ok(
                    resourceOf("iam:CreateRole").some((p) => matches(p, arn)),
                    `iam:CreateRole does not cover ${arn}`,
                );
                const passed = resourceOf("iam:PassRole").some((p) => matches(p, arn));
                assert.equal(passed, name.endsWith("-ecr-template"), `iam:PassRole on ${arn}`);
            }
            const repository = `arn:aws:ecr:us-east-1:${account}:repository/dify/plugins/some-plugin-1a2b`;
            assert.ok(resourceOf("ecr:CreateRepository").some((p) => matches(p, repository)));
            assert.ok(!resourceOf("ecr:CreateRepository").some((p) => matches(p, `arn:aws:ecr:us-east-1:${account}:repository/other`)));
        });
    });
});
