/**
 * Bad ECR arguments: each gets a clear error naming the argument and what would be valid, before anything is
 * registered (Output-valued ones before any child). Also the S3-endpoint warning and the stack config shape.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry, DifyPluginRegistryArgs, planPluginRegistry } from "../components";
import { parseStackConfig } from "../program/config";
import { ACCOUNT } from "./support/awsAnswers";
import { AWS, CN } from "./support/ecr";
import { evaluateFailingLater, thrownBy } from "./support/evaluate";
import { registered, resetRecorded, settle } from "./support/mocks";

type Loose = Record<string, unknown>;
const irsa = { region: "us-east-1", prefix: "dify-plugins", auth: { oidcProviderArn: AWS.oidcProviderArn } };
const args = (registry: Loose, extra: Loose = {}) =>
    ({ registry: { type: "ecr", ...registry }, chart: { version: "3.9.1" }, ...extra }) as unknown as DifyPluginRegistryArgs;

/** Constructs the component; asserts it throws before registering anything; returns the message. */
async function rejected(registry: Loose, extra: Loose = {}): Promise<string> {
    resetRecorded();
    const error = thrownBy(() => new DifyPluginRegistry("bad", args(registry, extra)));
    await settle();
    assert.ok(pulumi.InputPropertiesError.isInstance(error), `expected InputPropertiesError, got ${error}`);
    assert.deepEqual(registered(), [], "nothing may be registered");
    return error.message;
}

describe("ECR registry rejects bad input before registering anything", () => {
    it("is accepted by the valid baseline (so each case below fails for its own reason)", () => {
        assert.doesNotThrow(() => planPluginRegistry("ok", args(irsa)));
    });

    for (const region of ["US-EAST-1", "us-east", "useast1", "virginia", "us-iso-east-1"]) {
        it(`a region ${JSON.stringify(region)} that is not an AWS region`, async () => {
            assert.match(await rejected({ ...irsa, region }), /registry\.region: .*(is not an AWS region name|isolated AWS partition)/);
        });
    }

    it("a path prefix without a region", async () => {
        assert.match(await rejected({ ...irsa, region: undefined }), /registry\.region: is required: the registry's AWS region/);
    });

    for (const [prefix, reason] of [
        ["Dify-Plugins", /has uppercase letters; ECR repository names are lowercase/],
        ["/dify-plugins", /has a leading or trailing slash/],
        ["dify/../plugins", /has an empty or '\.\.' path segment/],
        ["https://123456789012.dkr.ecr.us-east-1.amazonaws.com/dify", /has a scheme/],
        ["harbor.example.com/dify", /is not an ECR registry host/],
    ] as const) {
        it(`a prefix ${JSON.stringify(prefix)}`, async () => {
            const msg = await rejected({ ...irsa, prefix });
            assert.match(msg, /registry\.prefix: /);
            assert.match(msg, reason);
        });
    }

    it("a region that differs from the one of the registry host in the prefix (the ecrRegion the chart would get)", async () => {
        const msg = await rejected({ ...irsa, region: "us-west-2", prefix: `${AWS.host}/dify` });
        assert.match(msg, /registry\.region: "us-west-2" does not match the region "us-east-1" of the registry host in registry\.prefix/);
    });

    it("an account id that differs from the registry host's, and one that is not 12 digits", async () => {
        assert.match(
            await rejected({ ...irsa, prefix: `${AWS.host}/dify`, accountId: "111122223333" }),
            /registry\.accountId: "111122223333" does not match the account 123456789012/,
        );
        assert.match(await rejected({ ...irsa, accountId: "12345" }), /registry\.accountId: "12345" is not an AWS account id \(12 digits/);
    });

    it("irsa without an OIDC provider or cluster", async () => {
        const msg = await rejected({ ...irsa, auth: { mode: "irsa" } });
        assert.match(
            msg,
            /registry\.auth: mode "irsa" needs the cluster's OIDC provider: give auth\.oidcProviderArn and\/or auth\.oidcIssuerUrl, or auth\.clusterName/,
        );
        assert.match(await rejected({ ...irsa, auth: undefined }), /registry\.auth: mode "irsa" needs/, "irsa is the default mode");
    });

    it("an issuer URL without https://", async () => {
        const msg = await rejected({ ...irsa, auth: { oidcIssuerUrl: "oidc.eks.us-east-1.amazonaws.com/id/ABC" } });
        assert.match(msg, /registry\.auth\.oidcIssuerUrl: "oidc\.eks\.us-east-1\.amazonaws\.com\/id\/ABC" must start with https:\/\//);
    });

    it("an OIDC provider ARN that is malformed, of another partition, or of another issuer than the URL", async () => {
        assert.match(
            await rejected({ ...irsa, auth: { oidcProviderArn: "arn:aws:iam::123456789012:role/x" } }),
            /registry\.auth\.oidcProviderArn: .* is not an IAM OIDC provider ARN/,
        );
        assert.match(
            await rejected({ ...irsa, region: "cn-north-1" }),
            /registry\.auth\.oidcProviderArn: is in partition aws but the registry region cn-north-1 is in aws-cn/,
        );
        const other = { oidcProviderArn: AWS.oidcProviderArn, oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/OTHER" };
        assert.match(
            await rejected({ ...irsa, auth: other }),
            /registry\.auth\.oidcProviderArn: names the issuer .* but auth\.oidcIssuerUrl is/,
        );
    });

    it("a cluster name next to an OIDC provider (one of them would be ignored)", async () => {
        assert.match(
            await rejected({ ...irsa, auth: { oidcProviderArn: AWS.oidcProviderArn, clusterName: "prod" } }),
            /registry\.auth\.clusterName: is only used to look the OIDC issuer up/,
        );
    });

    it("podIdentity without a cluster name", async () => {
        assert.match(
            await rejected({ ...irsa, auth: { mode: "podIdentity" } }),
            /registry\.auth\.clusterName: the EKS cluster name .* is required and must not be empty/,
        );
    });

    it("an unknown auth mode, and a key another mode uses", async () => {
        assert.match(
            await rejected({ ...irsa, auth: { mode: "instanceProfile" } }),
            /registry\.auth\.mode: unknown auth mode "instanceProfile"; valid modes: "irsa" \(the default\), "podIdentity", "accessKey"/,
        );
        assert.match(
            await rejected({ ...irsa, auth: { mode: "podIdentity", clusterName: "c", schedule: "@hourly" } }),
            /registry\.auth\.schedule: is not used with auth\.mode "podIdentity"/,
        );
    });

    it("KMS encryption without a key, a key without KMS, and a key that is not a KMS key ARN", async () => {
        assert.match(
            await rejected({ ...irsa, repositories: { encryption: "KMS" } }),
            /registry\.repositories\.kmsKeyArn: is required with encryption "KMS"/,
        );
        const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        assert.match(
            await rejected({ ...irsa, repositories: { kmsKeyArn: key } }),
            /registry\.repositories\.kmsKeyArn: is only used with encryption "KMS"/,
        );
        assert.match(
            await rejected({ ...irsa, repositories: { encryption: "KMS", kmsKeyArn: "alias/ecr" } }),
            /registry\.repositories\.kmsKeyArn: "alias\/ecr" is not a KMS key ARN/,
        );
    });

    it("lifecycle, mutability and encryption values outside their sets", async () => {
        const msg = await rejected({ ...irsa, repositories: { keepLastImages: 0, imageTagMutability: "LOCKED", encryption: "SSE" } });
        assert.match(msg, /registry\.repositories\.keepLastImages: must be a whole number of images from 1 to 10000, got 0/);
        assert.match(msg, /registry\.repositories\.imageTagMutability: must be "MUTABLE" \(the default\) or "IMMUTABLE"/);
        assert.match(msg, /registry\.repositories\.encryption: must be "AES256" \(the default\) or "KMS"/);
    });

    for (const name of ["Dify_Build", "-build", "a".repeat(254)]) {
        it(`a ServiceAccount name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…` : name)} that is not DNS-1123`, async () => {
            assert.match(
                await rejected({ ...irsa, serviceAccounts: { build: name } }),
                /registry\.serviceAccounts\.build: .* is not a DNS-1123 name/,
            );
        });
    }

    it("the same ServiceAccount for build and runner", async () => {
        assert.match(
            await rejected({ ...irsa, serviceAccounts: { build: "dify", runner: "dify" } }),
            /registry\.serviceAccounts\.runner: must differ from the build ServiceAccount/,
        );
    });

    it("accessKey with imageRepoType ecr, ServiceAccounts or a build-context bucket", async () => {
        const msg = await rejected({
            ...irsa,
            auth: { mode: "accessKey" },
            imageRepoType: "ecr",
            serviceAccounts: { build: "b" },
            buildContextBucket: "bucket",
        });
        assert.match(
            msg,
            /registry\.imageRepoType: "ecr" makes Dify call the ECR API from build pods, which have no AWS credentials in accessKey mode; use "docker"/,
        );
        assert.match(msg, /registry\.serviceAccounts: is only for irsa and podIdentity/);
        assert.match(msg, /registry\.buildContextBucket: is only for irsa and podIdentity/);
    });

    for (const [schedule, gap] of [
        ["0 3 * * *", "24h"],
        ["@daily", "24h"],
        ["0 */12 * * *", "12h"],
        ["0 0,11 * * *", "13h"],
        ["0 */6 * * MON-FRI", "54h"],
        ["0 0 1 * *", "744h"],
    ] as const) {
        it(`accessKey schedule ${JSON.stringify(schedule)}: refused, runs ${gap} apart and ECR logins last 12h (as refreshInterval)`, async () => {
            const msg = await rejected({ ...irsa, auth: { mode: "accessKey", schedule } });
            assert.ok(
                msg.includes(
                    `registry.auth.schedule: ${JSON.stringify(schedule)} leaves up to ${gap} between runs; ECR logins last 12 hours, so it must run more often than every 12 hours`,
                ),
                msg,
            );
        });
    }

    for (const mode of ["irsa", "podIdentity"] as const) {
        it(`pluginConnector.serviceAccounts.build beside ECR ${mode}, which creates that ServiceAccount: refused in the plan, naming the kind`, async () => {
            const auth = mode === "irsa" ? irsa.auth : { mode, clusterName: "dify" };
            const msg = await rejected({ ...irsa, auth }, { pluginConnector: { serviceAccounts: { build: "my-builder" } } });
            assert.ok(
                msg.includes(
                    `pluginConnector.serviceAccounts.build: "my-builder" conflicts with the ServiceAccount "dify-plugin-build" that registry type "ecr" (auth.mode ${mode}) creates for build pods; remove it, or name that ServiceAccount with registry.serviceAccounts.build`,
                ),
                msg,
            );
            assert.ok(!msg.includes('registry type "docker"'), msg);
        });
    }

    it("pluginConnector.serviceAccounts naming the same ServiceAccount the kind creates, or with accessKey, is accepted", () => {
        assert.doesNotThrow(() =>
            planPluginRegistry(
                "ok",
                args(irsa, { pluginConnector: { serviceAccounts: { build: "dify-plugin-build", runner: "dify-plugin-runner" } } }),
            ),
        );
        assert.doesNotThrow(() =>
            planPluginRegistry(
                "ok",
                args({ ...irsa, auth: { mode: "accessKey" } }, { pluginConnector: { serviceAccounts: { build: "mine" } } }),
            ),
        );
    });

    it("accessKey schedules under 12 hours apart are accepted, and a schedule that never runs is refused", async () => {
        for (const schedule of ["0 */6 * * *", "30 1,12,18 * * *", "@hourly", "*/15 * * * *"]) {
            assert.doesNotThrow(() => planPluginRegistry("ok", args({ ...irsa, auth: { mode: "accessKey", schedule } })), schedule);
        }
        assert.match(await rejected({ ...irsa, auth: { mode: "accessKey", schedule: "0 0 31 2 *" } }), /"0 0 31 2 \*" never runs/);
    });

    it("accessKey refresher settings: a bad schedule, an interval as long as a token lives, options of the other refresher", async () => {
        assert.match(
            await rejected({ ...irsa, auth: { mode: "accessKey", schedule: "every 6 hours" } }),
            /registry\.auth\.schedule: "every 6 hours" is not a cron schedule/,
        );
        assert.match(
            await rejected({ ...irsa, auth: { mode: "accessKey", refresher: "externalSecrets", refreshInterval: "12h" } }),
            /registry\.auth\.refreshInterval: "12h" must be a duration under 12h/,
        );
        assert.match(
            await rejected({ ...irsa, auth: { mode: "accessKey", refreshInterval: "6h" } }),
            /registry\.auth\.refreshInterval: is only used with refresher "externalSecrets"/,
        );
        assert.match(
            await rejected({ ...irsa, auth: { mode: "accessKey", refresher: "operator" } }),
            /registry\.auth\.refresher: must be "cronJob" \(the default\) or "externalSecrets"/,
        );
    });

    it("an imageRepoType other than docker or ecr, a bucket ARN, bad tags", async () => {
        const msg = await rejected({ ...irsa, imageRepoType: "oci", buildContextBucket: "arn:aws:s3:::b", tags: { "": "x" } });
        assert.match(msg, /registry\.imageRepoType: must be "docker" \(the default\) or "ecr"/);
        assert.match(msg, /registry\.buildContextBucket: "arn:aws:s3:::b" is not an S3 bucket name/);
        assert.match(msg, /registry\.tags\.: AWS tags are a key of 1-128 characters/);
    });

    it("reports every problem at once", async () => {
        const msg = await rejected({
            region: "moon-1",
            prefix: "Bad/",
            auth: { mode: "podIdentity" },
            repositories: { encryption: "KMS" },
            serviceAccounts: { runner: "R" },
        });
        for (const p of [
            "registry.region",
            "registry.prefix",
            "registry.auth.clusterName",
            "registry.repositories.kmsKeyArn",
            "registry.serviceAccounts.runner",
        ]) {
            assert.ok(msg.includes(`  - ${p}: `), `${p} missing from:\n${msg}`);
        }
    });

    it("a bad region given as an Output fails before any child is registered", async () => {
        const { error, resources } = await evaluateFailingLater(
            () => new DifyPluginRegistry("later", args({ ...irsa, region: pulumi.output("Mars-1") })),
        );
        assert.match(error.message, /registry\.region: "Mars-1" is not an AWS region name/);
        assert.deepEqual(
            resources.map((r) => r.type),
            ["dify:index:PluginRegistry"],
        );
    });

    it("an Output-valued OIDC provider of the wrong partition fails before any child is registered", async () => {
        const { error, resources } = await evaluateFailingLater(
            () =>
                new DifyPluginRegistry(
                    "later2",
                    args({ ...irsa, region: "cn-north-1", auth: { oidcProviderArn: pulumi.output(AWS.oidcProviderArn) } }),
                ),
        );
        assert.match(error.message, /registry\.auth\.oidcProviderArn: is in partition aws but the registry region cn-north-1 is in aws-cn/);
        assert.deepEqual(
            resources.map((r) => r.type),
            ["dify:index:PluginRegistry"],
        );
    });

    describe("warnings", () => {
        const s3 = (endpoint: string) => ({
            chart: { version: "3.9.1", values: { persistence: { type: "s3", s3: { endpoint, bucketName: "dify-storage" } } } },
        });
        it("irsa with a custom S3 endpoint warns that kaniko's web-identity credentials break", () => {
            const { warnings } = planPluginRegistry("w", args(irsa, s3("https://minio.example.com")));
            assert.equal(warnings.length, 1);
            assert.match(
                warnings[0],
                /registry\.auth\.mode "irsa" with chart\.values\.persistence\.s3\.endpoint "https:\/\/minio\.example\.com": .*STS answers HTTP 405/,
            );
        });
        it("no warning for an empty endpoint, or for Pod Identity", () => {
            assert.deepEqual(planPluginRegistry("w", args(irsa, s3(""))).warnings, []);
            assert.deepEqual(
                planPluginRegistry("w", args({ ...irsa, auth: { mode: "podIdentity", clusterName: "c" } }, s3("https://minio.example.com")))
                    .warnings,
                [],
            );
        });
    });

    describe("stack config", () => {
        const config = (registry: Loose) => ({ registry: { type: "ecr", ...registry }, chart: { version: "3.9.1" } });
        it("accepts the ECR keys, and names a mistyped nested key", () => {
            assert.doesNotThrow(() =>
                parseStackConfig(
                    config({ region: "cn-north-1", prefix: `${CN.host}/dify`, auth: { mode: "accessKey", refresher: "externalSecrets" } }),
                ),
            );
            const error = thrownBy(() =>
                parseStackConfig(config({ region: "us-east-1", prefix: "dify", auth: { oidcProviderArns: "x" } })),
            );
            assert.match(
                error.message,
                /dify-plugin-registry:registry\.auth\.oidcProviderArns: unknown key; did you mean `oidcProviderArn`\?/,
            );
        });
        it("names an account id given as a number (quote it in YAML)", () => {
            const error = thrownBy(() => parseStackConfig(config({ region: "us-east-1", prefix: "dify", accountId: 123456789012 })));
            assert.match(error.message, /dify-plugin-registry:registry\.accountId: expected string, received number/);
        });
    });
});
