import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import {
    acrAdminUserDisabled,
    advisoryPolicies,
    chartVersionPinned,
    ecrTemplateLifecycle,
    imageRepoSecretShape,
    irsaTrustConditions,
    mandatoryPolicies,
    mirroredImagesPinned,
    noCredentialsInHelmValues,
    noIamWildcards,
    prodRegistriesProtected,
} from "../policy/policies";
import { synthStack } from "../program/offline/synth";
import { listStacks, readStackFile, stackFilePath } from "../program/offline/stackFile";
import { unwrapSecrets, useMocks } from "./support/mocks";

const ROOT = path.resolve(__dirname, "..");

interface Resource {
    readonly type: string;
    readonly props: Record<string, unknown>;
    readonly name?: string;
    readonly stack?: string;
    readonly protect?: boolean;
}

/** Runs one policy on one resource the way the policy engine calls it; returns the violations reported. */
async function violations(policy: ResourceValidationPolicy, r: Resource): Promise<string[]> {
    const found: string[] = [];
    const name = r.name ?? "res";
    const args = {
        type: r.type,
        props: r.props,
        name,
        urn: `urn:pulumi:${r.stack ?? "dev"}::dify-plugin-registry::${r.type}::${name}`,
        opts: { protect: r.protect ?? false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [] },
        stackTags: new Map(),
    } as unknown as ResourceValidationArgs;
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
    for (const validate of validations) {
        await validate(args, (message) => found.push(message));
    }
    return found;
}

const secret = (props: Record<string, unknown>, name = "dify-image-repo-secret"): Resource => ({
    type: "kubernetes:core/v1:Secret",
    name,
    props,
});
const goodSecretProps = {
    metadata: { name: "image-repo-secret", namespace: "dify" },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": "e30=", "config.json": "e30=" },
};
const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
const webIdentity = (condition: Record<string, unknown>) =>
    JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${ISSUER}` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: condition,
            },
        ],
    });
const iamPolicy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const chart = (values: unknown, version = "3.9.1"): Resource => ({
    type: "kubernetes:helm.sh/v4:Chart",
    props: { chart: "dify", version, values },
});

describe("policy pack", () => {
    it("has the mandatory and advisory policies the issue lists", () => {
        assert.deepEqual(
            mandatoryPolicies.map((p) => p.name),
            [
                "image-repo-secret-shape",
                "irsa-trust-conditions",
                "no-iam-wildcards",
                "acr-admin-user-disabled",
                "ecr-template-lifecycle-policy",
                "no-credentials-in-helm-values",
                "prod-registries-protected",
            ],
        );
        assert.deepEqual(
            advisoryPolicies.map((p) => p.name),
            ["mirrored-helper-images-pinned", "chart-version-pinned"],
        );
    });

    describe("image-repo-secret-shape", () => {
        it("passes the Secret the component writes, and unrelated Secrets", async () => {
            assert.deepEqual(await violations(imageRepoSecretShape, secret(goodSecretProps)), []);
            assert.deepEqual(await violations(imageRepoSecretShape, secret({ metadata: { name: "other" }, type: "Opaque" }, "other")), []);
        });
        it("fails a renamed Secret, a wrong type and a missing key", async () => {
            assert.deepEqual(await violations(imageRepoSecretShape, secret({ ...goodSecretProps, metadata: { name: "my-registry" } })), [
                'Secret dify-image-repo-secret must be named "image-repo-secret" (Dify reads that fixed name), not "my-registry".',
            ]);
            assert.deepEqual(await violations(imageRepoSecretShape, secret({ ...goodSecretProps, type: "Opaque" })), [
                'image-repo-secret must have type kubernetes.io/dockerconfigjson, not "Opaque".',
            ]);
            assert.deepEqual(
                await violations(imageRepoSecretShape, secret({ ...goodSecretProps, data: { ".dockerconfigjson": "e30=" } })),
                ["image-repo-secret must hold both .dockerconfigjson and config.json; missing config.json."],
            );
        });
    });

    describe("irsa-trust-conditions", () => {
        const role = (assumeRolePolicy: string): Resource => ({ type: "aws:iam/role:Role", props: { assumeRolePolicy } });
        it("passes a trust limited to one ServiceAccount and STS", async () => {
            const ok = webIdentity({
                StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:dify:dify-plugin-build", [`${ISSUER}:aud`]: "sts.amazonaws.com" },
            });
            assert.deepEqual(await violations(irsaTrustConditions, role(ok)), []);
        });
        it("passes roles that are not web-identity trusts (Pod Identity)", async () => {
            const pods = iamPolicy({
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
            });
            assert.deepEqual(await violations(irsaTrustConditions, role(pods)), []);
        });
        it("fails the unconditioned trust of the official Terraform, and a StringLike sub", async () => {
            assert.equal((await violations(irsaTrustConditions, role(webIdentity({})))).length, 2);
            const like = webIdentity({
                StringLike: { [`${ISSUER}:sub`]: "system:serviceaccount:*" },
                StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" },
            });
            assert.deepEqual(await violations(irsaTrustConditions, role(like)), [
                "a web-identity trust statement lacks StringEquals <issuer>:sub = system:serviceaccount:<namespace>:<name>; any workload in the cluster could assume the role.",
            ]);
        });
    });

    describe("no-iam-wildcards", () => {
        const rolePolicy = (policy: string): Resource => ({ type: "aws:iam/rolePolicy:RolePolicy", props: { policy } });
        it("passes scoped actions and GetAuthorizationToken on *", async () => {
            const ok = iamPolicy(
                { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                {
                    Effect: "Allow",
                    Action: ["ecr:PutImage", "ecr:BatchGetImage"],
                    Resource: "arn:aws:ecr:us-east-1:123456789012:repository/dify/*",
                },
            );
            assert.deepEqual(await violations(noIamWildcards, rolePolicy(ok)), []);
        });
        it("fails ecr:* and a * resource for other actions", async () => {
            const bad = iamPolicy(
                { Effect: "Allow", Action: ["ecr:*"], Resource: "arn:aws:ecr:us-east-1:1:repository/dify/*" },
                { Effect: "Allow", Action: ["ecr:PutImage", "ecr:GetAuthorizationToken"], Resource: "*" },
            );
            assert.deepEqual(await violations(noIamWildcards, rolePolicy(bad)), [
                'action "ecr:*" is a wildcard; list the actions needed.',
                'resource "*" is granted for ecr:PutImage; scope it to the plugin prefix.',
            ]);
            assert.equal(
                (
                    await violations(noIamWildcards, {
                        type: "aws:iam/policy:Policy",
                        props: { policy: iamPolicy({ Effect: "Allow", Action: "*", Resource: "*" }) },
                    })
                ).length,
                2,
            );
        });
    });

    describe("acr-admin-user-disabled", () => {
        const registry = (adminUserEnabled: boolean): Resource => ({
            type: "azure-native:containerregistry:Registry",
            props: { adminUserEnabled, sku: { name: "Standard" } },
        });
        it("passes a registry without admin user and fails one with it", async () => {
            assert.deepEqual(await violations(acrAdminUserDisabled, registry(false)), []);
            assert.deepEqual(await violations(acrAdminUserDisabled, registry(true)), [
                "adminUserEnabled must be false: use a service principal with AcrPush on the registry.",
            ]);
        });
    });

    describe("ecr-template-lifecycle-policy", () => {
        const template = (lifecyclePolicy?: string): Resource => ({
            type: "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
            props: { prefix: "dify", appliedFors: ["CREATE_ON_PUSH"], ...(lifecyclePolicy ? { lifecyclePolicy } : {}) },
        });
        it("passes a template with rules and fails one without", async () => {
            const rules = JSON.stringify({
                rules: [
                    {
                        rulePriority: 1,
                        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 },
                        action: { type: "expire" },
                    },
                ],
            });
            assert.deepEqual(await violations(ecrTemplateLifecycle, template(rules)), []);
            assert.equal((await violations(ecrTemplateLifecycle, template())).length, 1);
            assert.equal((await violations(ecrTemplateLifecycle, template(JSON.stringify({ rules: [] })))).length, 1);
        });
    });

    describe("no-credentials-in-helm-values", () => {
        it("passes the values the component writes", async () => {
            const values = {
                plugin_connector: {
                    imageRepoSecret: "image-repo-secret",
                    imageRepoPrefix: "harbor.example.com/dify",
                    github: { accessToken: "" },
                },
            };
            assert.deepEqual(await violations(noCredentialsInHelmValues, chart(values)), []);
        });
        it("fails passwords, tokens and docker logins in plain text", async () => {
            const values = {
                externalRedis: { password: "hunter2" },
                plugin_connector: { github: { accessToken: "ghp_abcdefghijklmnopqrstuvwxyz0123" } },
                extra: { note: "AKIAABCDEFGHIJKLMNOP", docker: '{"auths":{"r.example.com":{"auth":"dTpw"}}}' },
            };
            assert.deepEqual(await violations(noCredentialsInHelmValues, chart(values)), [
                "values.externalRedis.password holds a credential in plain text; reference a Secret instead.",
                "values.plugin_connector.github.accessToken holds a credential in plain text; reference a Secret instead.",
                "values.extra.note contains an AWS access key id; keep it in a Secret, not in Helm values.",
                "values.extra.docker contains a docker config with logins; keep it in a Secret, not in Helm values.",
            ]);
        });
    });

    describe("prod-registries-protected", () => {
        const acr: Omit<Resource, "stack" | "protect"> = { type: "azure-native:containerregistry:Registry", name: "difyacr", props: {} };
        it("fails an unprotected registry in prod*, passes a protected one and any in other stacks", async () => {
            assert.deepEqual(await violations(prodRegistriesProtected, { ...acr, stack: "prod-eu" }), [
                'stack "prod-eu" is a production stack: create difyacr with { protect: true }.',
            ]);
            assert.deepEqual(await violations(prodRegistriesProtected, { ...acr, stack: "prod", protect: true }), []);
            assert.deepEqual(await violations(prodRegistriesProtected, { ...acr, stack: "dev" }), []);
        });
    });

    describe("advisory", () => {
        it("mirrored helper images should be pinned by digest; upstream ones are not mirrored", async () => {
            const upstream = {
                plugin_connector: { gatewayImage: "nginx:1.29.4-alpine", shaderImage: "gcr.io/kaniko-project/executor:latest" },
            };
            assert.deepEqual(await violations(mirroredImagesPinned, chart(upstream)), []);
            const pinned = { plugin_connector: { gatewayImage: `harbor.example.com/mirror/nginx:1.29.4-alpine@sha256:${"a".repeat(64)}` } };
            assert.deepEqual(await violations(mirroredImagesPinned, chart(pinned)), []);
            const floating = { plugin_connector: { busyBoxImage: "harbor.example.com/mirror/busybox:latest" } };
            assert.deepEqual(await violations(mirroredImagesPinned, chart(floating)), [
                'plugin_connector.busyBoxImage "harbor.example.com/mirror/busybox:latest" comes from a mirror but is not pinned by digest.',
            ]);
        });
        it("the chart version is pinned", async () => {
            assert.deepEqual(await violations(chartVersionPinned, chart({}, "3.9.1")), []);
            assert.equal((await violations(chartVersionPinned, chart({}, "^3.9.0"))).length, 1);
            assert.equal(
                (await violations(chartVersionPinned, { type: "kubernetes:helm.sh/v3:Release", props: { chart: "dify" } })).length,
                1,
            );
        });
    });
});

/** Thrown, as @pulumi/policy's UnknownValueError is, when a policy reads a value that is unknown in a preview. */
class UnknownInPreview extends Error {}

/**
 * Props as the policy engine hands them to a policy during `pulumi preview`: reading a value not known yet (a login a
 * dynamic provider creates during the update) throws, and the engine then reports "can't run during preview" (advisory)
 * instead of running the policy.
 */
function previewProps(value: unknown, at = "props"): any {
    if (typeof value !== "object" || value === null) {
        return value;
    }
    return new Proxy(value as object, {
        get(target, key) {
            const field = (target as Record<PropertyKey, unknown>)[key];
            if ((field as { __pulumiUnknown?: boolean } | undefined)?.__pulumiUnknown === true) {
                throw new UnknownInPreview(`${at}.${String(key)} can't be known during preview`);
            }
            return previewProps(field, `${at}.${String(key)}`);
        },
    });
}

describe("policy pack on what the stacks register", () => {
    after(() => {
        pulumi.runtime.setAllConfig({});
        useMocks();
    });

    for (const stack of listStacks(ROOT)) {
        it(`${stack}: every mandatory policy passes every registered resource`, async () => {
            const result = await synthStack(stack, readStackFile(stackFilePath(ROOT, stack)));
            for (const r of result.resources) {
                for (const policy of mandatoryPolicies) {
                    const found = await violations(policy, {
                        type: r.type,
                        name: r.name,
                        props: previewProps(unwrapSecrets(r.inputs)) as Record<string, unknown>,
                        stack,
                    }).catch((err: unknown) => {
                        if (err instanceof UnknownInPreview) {
                            return []; // not run in a preview; it runs on the known values during the update
                        }
                        throw err;
                    });
                    assert.deepEqual(found, [], `${policy.name} on ${r.type} ${r.name}`);
                }
            }
        });
    }
});
