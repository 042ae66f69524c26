/**
 * The ECR kind's accessKey mode under the Pulumi mocks, for aws and aws-cn: the IAM user and key, the credentials
 * Secret, image-repo-secret (created empty, its data then owned by the refresher), the refresher's ServiceAccount,
 * Role, RoleBinding, CronJob and deploy-time Job — or the External Secrets generator and ExternalSecret — and the proof
 * that neither the secret access key nor an ECR token appears in plain text in anything registered or output.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { REFRESHER_SCRIPT } from "../components/registries/ecr/refresherScript";
import { formatSynth, synthStack } from "../program/offline/synth";
import { PROJECT } from "../program/config";
import { ACCESS_KEY_ID, ACCOUNT, answerAws, answerInPartition, ECR_TOKEN, invokeCount, SECRET_ACCESS_KEY } from "./support/awsAnswers";
import { AWS, byTypeAndName, CN, connectorOf, one, PARENT, parsedInput, withEcr } from "./support/ecr";
import { b64decode, evaluate } from "./support/evaluate";
import { isSecretValue, RecordedResource, redactSecrets, resolved, unwrapSecrets, useMocks } from "./support/mocks";

const LABELS = {
    "app.kubernetes.io/name": "image-repo-secret-refresher",
    "app.kubernetes.io/component": "ecr-token-refresher",
    "app.kubernetes.io/part-of": "dify",
    "app.kubernetes.io/managed-by": "pulumi",
};
const REFRESHER_META = { name: "image-repo-secret-refresher", namespace: "dify", labels: LABELS };
const EMPTY = Buffer.from('{"auths":{}}').toString("base64");

describe("ECR registry, accessKey mode", () => {
    before(() => answerAws());
    after(() => answerInPartition("aws"));

    for (const p of [AWS, CN]) {
        describe(`CronJob refresher (${p.partition})`, () => {
            let resources: readonly RecordedResource[];
            let component: DifyPluginRegistry;
            before(async () => {
                answerInPartition(p.partition);
                const args = withEcr(
                    { region: p.region, prefix: "dify", accountId: ACCOUNT, auth: { mode: "accessKey" } },
                    { pluginConnector: { images: { awsCli: "registry.example.com/mirror/amazon/aws-cli:2.22.0" } } },
                );
                resources = await evaluate(() => (component = new DifyPluginRegistry("dify", args)));
            });

            it("registers the user, its policy and key, the template, both Secrets, the refresher and the chart — no role, no build ServiceAccount", () => {
                assert.deepEqual(byTypeAndName(resources), [
                    ["aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "dify-ecr-template", PARENT],
                    ["aws:iam/accessKey:AccessKey", "dify-ecr-push", PARENT],
                    ["aws:iam/user:User", "dify-ecr-push", PARENT],
                    ["aws:iam/userPolicy:UserPolicy", "dify-ecr-push", PARENT],
                    ["dify:index:PluginRegistry", "dify", undefined],
                    ["kubernetes:batch/v1:CronJob", "dify-ecr-refresher", PARENT],
                    ["kubernetes:batch/v1:Job", "dify-ecr-refresh-now", PARENT],
                    ["kubernetes:core/v1:Namespace", "dify-namespace", PARENT],
                    ["kubernetes:core/v1:Secret", "dify-ecr-credentials", PARENT],
                    ["kubernetes:core/v1:Secret", "dify-image-repo-secret", PARENT],
                    ["kubernetes:core/v1:ServiceAccount", "dify-ecr-refresher", PARENT],
                    ["kubernetes:helm.sh/v4:Chart", "dify-dify", PARENT],
                    ["kubernetes:rbac.authorization.k8s.io/v1:Role", "dify-ecr-refresher", PARENT],
                    ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "dify-ecr-refresher", PARENT],
                    // pushCheck, on by default: the push user's key, exchanged for a login, must push.
                    ["pulumi-nodejs:dynamic:Resource", "dify-push-check", PARENT],
                ]);
            });

            it("gives the user the build policy on the prefix and one access key", () => {
                const policy = one(resources, "aws:iam/userPolicy:UserPolicy");
                assert.equal(policy.inputs.user, "dify-ecr-push-4d5e6f");
                const doc = parsedInput(policy, "policy");
                assert.deepEqual(doc.Statement[0], {
                    Sid: "EcrLogin",
                    Effect: "Allow",
                    Action: "ecr:GetAuthorizationToken",
                    Resource: "*",
                });
                assert.equal(doc.Statement[1].Resource, `arn:${p.partition}:ecr:${p.region}:${ACCOUNT}:repository/dify/*`);
                assert.equal(doc.Statement.length, 2, "no bucket statement");
                assert.deepEqual(one(resources, "aws:iam/accessKey:AccessKey").inputs, { user: "dify-ecr-push-4d5e6f" });
            });

            it("keeps the access key in its own Secret, secret-wrapped", () => {
                const credentials = one(resources, "kubernetes:core/v1:Secret", "dify-ecr-credentials");
                const { data, ...rest } = credentials.inputs;
                assert.deepEqual(rest, {
                    apiVersion: "v1",
                    kind: "Secret",
                    type: "Opaque",
                    metadata: { name: "ecr-refresher-aws-credentials", namespace: "dify", labels: LABELS },
                });
                assert.ok(isSecretValue(data), "data is a secret");
                const keys = unwrapSecrets(data) as Record<string, string>;
                assert.deepEqual(Object.keys(keys).sort(), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
                assert.equal(b64decode(keys.AWS_ACCESS_KEY_ID), ACCESS_KEY_ID);
                assert.equal(b64decode(keys.AWS_SECRET_ACCESS_KEY), SECRET_ACCESS_KEY);
            });

            it("creates image-repo-secret with an empty docker config (the refresher fills it)", () => {
                const secret = one(resources, "kubernetes:core/v1:Secret", "dify-image-repo-secret");
                assert.deepEqual(redactSecrets(secret.inputs), {
                    apiVersion: "v1",
                    kind: "Secret",
                    metadata: { name: "image-repo-secret", namespace: "dify" },
                    type: "kubernetes.io/dockerconfigjson",
                    data: "[secret]",
                });
                assert.deepEqual(unwrapSecrets(secret.inputs.data), { ".dockerconfigjson": EMPTY, "config.json": EMPTY });
            });

            it("lets the refresher's ServiceAccount get and patch image-repo-secret only", () => {
                assert.deepEqual(one(resources, "kubernetes:core/v1:ServiceAccount", "dify-ecr-refresher").inputs.metadata, REFRESHER_META);
                assert.deepEqual(one(resources, "kubernetes:rbac.authorization.k8s.io/v1:Role").inputs, {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "Role",
                    metadata: REFRESHER_META,
                    rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["image-repo-secret"], verbs: ["get", "patch"] }],
                });
                assert.deepEqual(one(resources, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").inputs, {
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "RoleBinding",
                    metadata: REFRESHER_META,
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "image-repo-secret-refresher" },
                    subjects: [{ kind: "ServiceAccount", name: "image-repo-secret-refresher", namespace: "dify" }],
                });
            });

            it("runs the script every 6 hours and once at deploy time, in the chart's awsCliImage, for the registry host", () => {
                const cron = one(resources, "kubernetes:batch/v1:CronJob").inputs as Record<string, any>;
                assert.deepEqual(cron.metadata, REFRESHER_META);
                assert.equal(cron.spec.schedule, "0 */6 * * *");
                assert.equal(cron.spec.concurrencyPolicy, "Forbid");
                const job = one(resources, "kubernetes:batch/v1:Job").inputs as Record<string, any>;
                assert.deepEqual(job.metadata, { namespace: "dify", labels: LABELS });
                assert.deepEqual(cron.spec.jobTemplate.spec, job.spec, "the CronJob and the Job run the same pod");
                const pod = job.spec.template.spec;
                assert.equal(pod.serviceAccountName, "image-repo-secret-refresher");
                const [container] = pod.containers;
                assert.equal(container.image, "registry.example.com/mirror/amazon/aws-cli:2.22.0");
                assert.deepEqual(container.command, ["/bin/bash", "-c", REFRESHER_SCRIPT]);
                assert.deepEqual(container.env.slice(0, 3), [
                    { name: "AWS_REGION", value: p.region },
                    { name: "REGISTRY_HOST", value: p.host },
                    { name: "SECRET_NAME", value: "image-repo-secret" },
                ]);
                assert.deepEqual(container.envFrom, [{ secretRef: { name: "ecr-refresher-aws-credentials" } }]);
            });

            it("gives the chart imageRepoType docker, no ecrRegion, no ServiceAccounts", () => {
                const connector = connectorOf(resources);
                assert.equal(connector.imageRepoType, "docker");
                assert.equal(connector.imageRepoPrefix, `${p.host}/dify`);
                for (const key of ["ecrRegion", "customServiceAccount", "runnerServiceAccount"]) {
                    assert.equal(connector[key], undefined, key);
                }
            });

            it("exposes the user and the refresher, none secret", async () => {
                assert.deepEqual(await resolved(component.registryOutputs), {
                    authMode: "accessKey",
                    registryHost: p.host,
                    region: p.region,
                    templatePrefix: "dify",
                    pushUserArn: `arn:${p.partition}:iam::${ACCOUNT}:user/dify-ecr-push-4d5e6f`,
                    pushUserName: "dify-ecr-push-4d5e6f",
                    refresher: "cronJob",
                    refresherCronJob: "image-repo-secret-refresher",
                });
                assert.equal(await pulumi.isSecret(component.registryOutputs), false);
            });
        });
    }

    for (const apiVersion of [undefined, "external-secrets.io/v1beta1"] as const) {
        it(`External Secrets (${apiVersion ?? "default apiVersion"}): a generator and an ExternalSecret own image-repo-secret; no CronJob`, async () => {
            answerInPartition("aws-cn");
            const auth = {
                mode: "accessKey",
                refresher: "externalSecrets",
                refreshInterval: "4h",
                externalSecretsApiVersion: apiVersion,
            } as const;
            const resources = await evaluate(() => new DifyPluginRegistry("dify", withEcr({ prefix: `${CN.host}/dify`, auth })));
            const types = resources.map((r) => r.type);
            assert.ok(!types.includes("kubernetes:batch/v1:CronJob") && !types.includes("kubernetes:rbac.authorization.k8s.io/v1:Role"));
            assert.ok(
                !resources.some((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "dify-image-repo-secret"),
                "ESO creates image-repo-secret",
            );
            const generator = one(resources, "kubernetes:generators.external-secrets.io/v1alpha1:ECRAuthorizationToken").inputs as Record<
                string,
                any
            >;
            assert.equal(generator.metadata.name, "image-repo-secret-ecr-token");
            assert.equal(generator.spec.region, "cn-north-1");
            assert.deepEqual(generator.spec.auth.secretRef.secretAccessKeySecretRef, {
                name: "ecr-refresher-aws-credentials",
                key: "AWS_SECRET_ACCESS_KEY",
            });
            const external = one(resources, `kubernetes:${apiVersion ?? "external-secrets.io/v1"}:ExternalSecret`).inputs as Record<
                string,
                any
            >;
            assert.equal(external.metadata.name, "image-repo-secret");
            assert.equal(external.spec.refreshInterval, "4h");
            assert.equal(external.spec.target.template.type, "kubernetes.io/dockerconfigjson");
            const rendered = external.spec.target.template.data["config.json"].replace(/\{\{.*?\}\}/, "dG9r");
            assert.deepEqual(JSON.parse(rendered), { auths: { [CN.host]: { auth: "dG9r" } } });
            assert.equal(connectorOf(resources).imageRepoType, "docker");
        });
    }

    describe("no ECR token and no secret access key in plain text", () => {
        const forms = [
            SECRET_ACCESS_KEY,
            Buffer.from(SECRET_ACCESS_KEY).toString("base64").replace(/=+$/, ""),
            ECR_TOKEN,
            b64decode(ECR_TOKEN),
            "Sentinel-ecr-token",
        ];
        const assertClean = (text: string, where: string) => {
            for (const form of forms) {
                assert.ok(!text.includes(form), `${where} contains a credential (${form.slice(0, 12)}…)`);
            }
        };

        for (const refresher of ["cronJob", "externalSecrets"] as const) {
            it(`${refresher}: registered inputs outside secrets, outputs and synth output are clean, and no token is ever asked for`, async () => {
                answerInPartition("aws");
                const args: DifyPluginRegistryArgs = withEcr({
                    region: "us-east-1",
                    prefix: "dify",
                    accountId: ACCOUNT,
                    auth: { mode: "accessKey", refresher },
                });
                let component!: DifyPluginRegistry;
                const resources = await evaluate(() => (component = new DifyPluginRegistry("dify", args)));
                // The key really went through (so the checks below look at the right data)...
                assert.ok(
                    JSON.stringify(unwrapSecrets(resources.map((r) => r.inputs))).includes(
                        Buffer.from(SECRET_ACCESS_KEY).toString("base64"),
                    ),
                );
                // ...but only inside secret-wrapped values.
                for (const r of resources) {
                    assertClean(JSON.stringify(redactSecrets(r.inputs)), `inputs of ${r.type} ${r.name}`);
                }
                for (const output of [component.registryOutputs, component.pluginConnectorValues, component.imageRepoPrefix]) {
                    assertClean(JSON.stringify(await resolved(output as pulumi.Output<unknown>)), "a component output");
                }
                assert.equal(
                    invokeCount("aws:ecr/getAuthorizationToken:getAuthorizationToken"),
                    0,
                    "the component never fetches an ECR token",
                );
            });
        }

        it("the synth report of an accessKey stack shows neither", async () => {
            const file = {
                config: {
                    [`${PROJECT}:registry`]: JSON.stringify({
                        type: "ecr",
                        region: "cn-northwest-1",
                        prefix: "dify",
                        accountId: ACCOUNT,
                        auth: { mode: "accessKey" },
                    }),
                    [`${PROJECT}:chart`]: JSON.stringify({ version: "3.9.1" }),
                },
                secretKeys: [],
                placeholders: [],
                environments: [],
            };
            try {
                const result = await synthStack("ecr-leakcheck", file);
                assert.ok(result.resources.some((r) => r.type === "aws:iam/accessKey:AccessKey"));
                assertClean(formatSynth("ecr-leakcheck", file, result), "synth output");
            } finally {
                pulumi.runtime.setAllConfig({});
                useMocks();
            }
        });
    });
});
