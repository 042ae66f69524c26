/**
 * The ECR kind's other pure builders: the IRSA docker config, the External Secrets generator and ExternalSecret, the
 * token refresher's Kubernetes specs, and the grammar helpers of validation.
 */
import * as assert from "node:assert/strict";
import { dockerConfigJson } from "../engines/oci/dockerConfig";
import { dockerConfigTemplate, ecrTokenGeneratorSpec, imageRepoExternalSecretSpec } from "../components/registries/ecr/externalSecrets";
import { REFRESHER_SCRIPT } from "../components/registries/ecr/refresherScript";
import { refresherCronJobSpec, refresherJobSpec, refresherRoleRules } from "../components/registries/ecr/refresherSpec";
import { durationSeconds, isCronSchedule, isDns1123Subdomain } from "../components/registries/ecr/validate";
import { AWS_COORDINATES as AWS, CN_COORDINATES as CN } from "./support/ecr";

describe("ECR specs and helpers", () => {
    it("IRSA docker config: the ECR credential helper for the registry host, no login", () => {
        assert.deepEqual(JSON.parse(dockerConfigJson([], { [CN.host]: "ecr-login" })), {
            auths: {},
            credHelpers: { [CN.host]: "ecr-login" },
        });
    });

    describe("External Secrets", () => {
        it("the template renders a docker config for the registry host (engine v2 functions printf and b64enc)", () => {
            const template = dockerConfigTemplate(CN.host);
            // What ESO's engine does with the one action in the template, for username AWS and a password.
            const rendered = template.replace(
                '{{ printf "%s:%s" .username .password | b64enc }}',
                Buffer.from("AWS:tok3n").toString("base64"),
            );
            assert.deepEqual(JSON.parse(rendered), { auths: { [CN.host]: { auth: Buffer.from("AWS:tok3n").toString("base64") } } });
        });

        it("the ExternalSecret writes image-repo-secret from the generator, and the generator reads the access-key Secret", () => {
            const spec = imageRepoExternalSecretSpec(AWS.host, "6h") as Record<string, any>;
            assert.deepEqual(spec.target.template.data, {
                ".dockerconfigjson": dockerConfigTemplate(AWS.host),
                "config.json": dockerConfigTemplate(AWS.host),
            });
            assert.deepEqual(
                { ...spec, target: { ...spec.target, template: { ...spec.target.template, data: "…" } } },
                {
                    refreshInterval: "6h",
                    target: {
                        name: "image-repo-secret",
                        creationPolicy: "Owner",
                        template: { type: "kubernetes.io/dockerconfigjson", engineVersion: "v2", data: "…" },
                    },
                    dataFrom: [
                        {
                            sourceRef: {
                                generatorRef: {
                                    apiVersion: "generators.external-secrets.io/v1alpha1",
                                    kind: "ECRAuthorizationToken",
                                    name: "image-repo-secret-ecr-token",
                                },
                            },
                        },
                    ],
                },
            );
            assert.deepEqual(ecrTokenGeneratorSpec("cn-north-1"), {
                region: "cn-north-1",
                auth: {
                    secretRef: {
                        accessKeyIDSecretRef: { name: "ecr-refresher-aws-credentials", key: "AWS_ACCESS_KEY_ID" },
                        secretAccessKeySecretRef: { name: "ecr-refresher-aws-credentials", key: "AWS_SECRET_ACCESS_KEY" },
                    },
                },
            });
        });
    });

    describe("token refresher specs", () => {
        it("the Role may get and patch image-repo-secret and nothing else", () => {
            assert.deepEqual(refresherRoleRules(), [
                { apiGroups: [""], resources: ["secrets"], resourceNames: ["image-repo-secret"], verbs: ["get", "patch"] },
            ]);
        });

        it("the pod runs the script in the AWS CLI image with the access key from its Secret, non-root", () => {
            const job = refresherJobSpec({ image: "amazon/aws-cli:latest", region: "cn-north-1", host: CN.host }) as Record<string, any>;
            const pod = job.template.spec;
            const [container] = pod.containers;
            assert.deepEqual(container.command, ["/bin/bash", "-c", REFRESHER_SCRIPT]);
            assert.equal(container.image, "amazon/aws-cli:latest");
            assert.deepEqual(container.env, [
                { name: "AWS_REGION", value: "cn-north-1" },
                { name: "REGISTRY_HOST", value: CN.host },
                { name: "SECRET_NAME", value: "image-repo-secret" },
                { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                { name: "HOME", value: "/tmp" },
                { name: "AWS_EC2_METADATA_DISABLED", value: "true" },
            ]);
            assert.deepEqual(container.envFrom, [{ secretRef: { name: "ecr-refresher-aws-credentials" } }]);
            assert.equal(pod.serviceAccountName, "image-repo-secret-refresher");
            assert.equal(pod.securityContext.runAsNonRoot, true);
            assert.equal(container.securityContext.readOnlyRootFilesystem, true);
            const cron = refresherCronJobSpec({
                image: "amazon/aws-cli:latest",
                region: "cn-north-1",
                host: CN.host,
                schedule: "0 */6 * * *",
            }) as Record<string, any>;
            assert.equal(cron.schedule, "0 */6 * * *");
            assert.equal(cron.concurrencyPolicy, "Forbid");
            assert.deepEqual(cron.jobTemplate.spec, job, "the CronJob runs the same Job as the deploy-time one");
        });
    });

    it("grammar helpers: cron schedules, durations, ServiceAccount names", () => {
        // As Kubernetes validates CronJob.spec.schedule: robfig/cron v3 ParseStandard, and no TZ.
        for (const ok of [
            "0 */6 * * *",
            "15 0,6,12,18 * * *",
            "@hourly",
            "@every 6h",
            "0 */6 * * MON-FRI",
            "0 0 ? * sun",
            "5/15 * * * *",
        ]) {
            assert.ok(isCronSchedule(ok), ok);
        }
        for (const bad of [
            "every 6 hours",
            "0 */6 * *",
            "",
            "0 */6 * * 1-7",
            "0 */6 * * 0-7",
            "H */6 * * *",
            "TZ=UTC 0 */6 * * *",
            "0 0 * * 5-1",
        ]) {
            assert.ok(!isCronSchedule(bad), bad);
        }
        assert.equal(durationSeconds("6h"), 21600);
        assert.equal(durationSeconds("1h30m"), 5400);
        assert.equal(durationSeconds("6 hours"), undefined);
        assert.ok(isDns1123Subdomain("dify.plugin-build"));
        assert.ok(!isDns1123Subdomain("Dify_Build"));
    });
});
