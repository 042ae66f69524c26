/**
 * Issue 17, items 6 and 7: values the component accepted and the platform then refused (after the IAM user, the key or
 * other resources existed). Each is held to the rules of the system that would refuse it — Kubernetes' CronJob
 * schedule parser, Helm's release names, AWS's tag and S3 bucket rules, the docker login format, the registry API's
 * image references, pip's index URL, the copier's registry lookup — and refused before any child resource, naming the
 * key and what would be valid, in a program, in stack config, and (same validation) from the multi-language provider.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { PROJECT } from "../program/config";
import { runStack } from "../program/main";
import { ACCOUNT, answerAws } from "./support/awsAnswers";
import { AWS } from "./support/ecr";
import { evaluateFailingLater, thrownBy } from "./support/evaluate";
import { registered, resetRecorded, settle, useMocks } from "./support/mocks";
import { rejected } from "./support/rejected";

type Loose = Record<string, unknown>;
const docker = { type: "docker", server: "harbor.example.com", prefix: "dify", username: "robot", password: "pw" };
const irsa = { type: "ecr", region: AWS.region, prefix: "dify", accountId: ACCOUNT, auth: { oidcProviderArn: AWS.oidcProviderArn } };
const accessKey = { ...irsa, auth: { mode: "accessKey" } };
const base = (registry: Loose, extra: Loose = {}): Loose => ({ registry, chart: { version: "3.9.1" }, ...extra });

/** The line for `path` in the component's message for `args` (nothing registered). */
async function refusal(args: Loose, path: string): Promise<string> {
    const msg = await rejected(args);
    const line = msg.split("\n").find((l) => l.startsWith(`  - ${path}: `));
    assert.ok(line, `no problem at ${path} in:\n${msg}`);
    return line;
}

/** The same arguments as stack config, run through the stack program: the message, nothing registered. */
async function stackConfigRefusal(args: Loose): Promise<string> {
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(args).map(([k, v]) => [`${PROJECT}:${k}`, JSON.stringify(v)])));
    try {
        resetRecorded();
        const error = thrownBy(() => runStack());
        await settle();
        assert.ok(pulumi.InputPropertiesError.isInstance(error), String(error));
        assert.deepEqual(registered(), [], "nothing may be registered");
        return error.message;
    } finally {
        pulumi.runtime.setAllConfig({});
    }
}

describe("values the platform would refuse are refused first", () => {
    before(() => answerAws());
    after(() => useMocks());

    describe("registry.auth.schedule: Kubernetes' CronJob schedule rules (robfig/cron v3 standard parser, no TZ)", () => {
        for (const [schedule, why] of [
            ["0 */6 * * 1-7", "end of range (7) above maximum (6): 1-7"],
            ["0 */6 * * 0-7", "end of range (7) above maximum (6): 0-7"],
            ["H */6 * * *", 'failed to parse int from H: strconv.Atoi: parsing "H": invalid syntax'],
            ["0 */6 * * 5-1", "beginning of range (5) beyond end of range (1): 5-1"],
            ["0 */6 * *", "expected exactly 5 fields, found 4: [0 */6 * *]"],
            ["CRON_TZ=UTC 0 */6 * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"],
            ["*/0 * * * *", "step of range should be a positive number: */0"],
        ] as const) {
            it(`${JSON.stringify(schedule)}: ${why}`, async () => {
                const line = await refusal(base({ ...accessKey, auth: { mode: "accessKey", schedule } }), "registry.auth.schedule");
                assert.ok(line.includes(`${JSON.stringify(schedule)} is not a cron schedule Kubernetes accepts (${why})`), line);
                assert.match(line, /day-of-week \(0-6 or SUN-SAT\).*e\.g\. "0 \*\/6 \* \* \*"/);
            });
        }

        it("what Kubernetes accepts is accepted: names, ?, N/step, @every under 12h", async () => {
            for (const schedule of ["0 */6 * * SUN-SAT", "0 0,6,12,18 ? * *", "30 1/6 * * *", "@every 6h", "@every 90m"]) {
                assert.doesNotThrow(
                    () =>
                        new DifyPluginRegistry(
                            `ok-${schedule.length}`,
                            base({ ...accessKey, auth: { mode: "accessKey", schedule } }) as never,
                        ),
                    schedule,
                );
            }
            await settle();
            assert.ok(
                (await rejected(base({ ...accessKey, auth: { mode: "accessKey", schedule: "@every 13h" } }))).includes(
                    "leaves up to 13h between runs",
                ),
            );
        });

        it("the same words from stack config", async () => {
            const msg = await stackConfigRefusal(base({ ...accessKey, auth: { mode: "accessKey", schedule: "0 */6 * * 1-7" } }));
            assert.ok(
                msg.includes('  - registry.auth.schedule: "0 */6 * * 1-7" is not a cron schedule Kubernetes accepts (end of range (7)'),
                msg,
            );
        });
    });

    describe("chart.releaseName: Helm's release names", () => {
        for (const name of ["Dify_Prod", "a".repeat(80), "-dify", "dify.", ""]) {
            it(`${JSON.stringify(name.length > 20 ? `${name.slice(0, 5)}…(${name.length})` : name)}`, async () => {
                const line = await refusal({ ...base(docker), chart: { version: "3.9.1", releaseName: name } }, "chart.releaseName");
                assert.match(line, /is refused by Helm; Helm release names are at most 53 lowercase letters, digits, '-' or '\.'/);
                if (name.length > 53) assert.ok(line.includes(`(${name.length} characters)`), line);
            });
        }

        it("valid names pass, up to 53 characters", () => {
            for (const releaseName of ["dify", "dify-prod", "dify.prod", "a".repeat(53)]) {
                assert.doesNotThrow(
                    () => new DifyPluginRegistry("ok", { ...base(docker), chart: { version: "3.9.1", releaseName } } as never),
                );
            }
        });

        it("the same words from stack config", async () => {
            const msg = await stackConfigRefusal({ ...base(docker), chart: { version: "3.9.1", releaseName: "Dify_Prod" } });
            assert.ok(msg.includes('  - chart.releaseName: "Dify_Prod" is refused by Helm'), msg);
        });
    });

    describe("ECR tags: the aws: prefix is AWS's", () => {
        for (const [path, extra] of [
            ["registry.tags.aws:team", { tags: { "aws:team": "dify" } }],
            ["registry.tags.AWS:Cost", { tags: { "AWS:Cost": "x" } }],
            ["registry.repositories.tags.Aws:owner", { repositories: { tags: { "Aws:owner": "x" } } }],
        ] as const) {
            it(path, async () => {
                const line = await refusal(base({ ...irsa, ...extra }), path);
                assert.match(
                    line,
                    /tag keys starting with "aws:" \(in any case\) are reserved for AWS and refused by IAM and ECR; use another prefix/,
                );
            });
        }
    });

    describe("registry.username: a docker login cannot hold ':'", () => {
        for (const registry of [
            { ...docker, username: "robot:dify" },
            { type: "dockerhub", namespace: "acme", username: "acme:ci", token: "t" },
            { type: "aliyun", edition: "personal", region: "cn-hangzhou", namespace: "dify", username: "a:b", password: "p" },
            { type: "tcr", instanceId: "tcr-abcd1234", namespace: "dify", server: "x.tencentcloudcr.com", username: "1000:1", token: "t" },
        ]) {
            it(`${registry.type}: ${JSON.stringify(registry.username)}`, async () => {
                const line = await refusal(base(registry), "registry.username");
                assert.match(line, /contains ':', which a docker login cannot hold .*; use the registry's user name without ':'/);
            });
        }

        it("given as an Output: refused when it resolves, before any child", async () => {
            const { error, resources } = await evaluateFailingLater(
                () =>
                    new DifyPluginRegistry(
                        "later",
                        base({ ...docker, username: pulumi.output("robot:dify") }) as unknown as DifyPluginRegistryArgs,
                    ),
            );
            assert.match(error.message, /registry\.username: "robot:dify" contains ':'/);
            assert.deepEqual(
                resources.map((r) => r.type),
                ["dify:index:PluginRegistry"],
            );
        });

        it("the same words from stack config", async () => {
            const msg = await stackConfigRefusal(base({ ...docker, username: "robot:dify" }));
            assert.ok(msg.includes(`  - registry.username: "robot:dify" contains ':', which a docker login cannot hold`), msg);
        });
    });

    describe("pluginConnector.python: written into generatorConf as given", () => {
        for (const image of [
            "registry.example.com/py:3.12\n  injected: true",
            "registry.example.com/py 3.12",
            "Registry.example.com/Py:3.12",
            "",
        ]) {
            it(`a build base ${JSON.stringify(image)}`, async () => {
                const line = await refusal(
                    base(docker, { pluginConnector: { python: { versions: { "3.12": image } } } }),
                    "pluginConnector.python.versions.3.12",
                );
                assert.match(
                    line,
                    /must be a build base image reference such as `registry\.example\.com\/plugin-build-base-python:3\.12`, or null/,
                );
            });
        }

        for (const pipMirror of [
            "pypi.example.com/simple",
            "ftp://pypi.example.com/simple",
            "https://pypi.example.com/simple\nextra",
            "https://",
        ]) {
            it(`a pipMirror ${JSON.stringify(pipMirror)}`, async () => {
                const line = await refusal(
                    base(docker, { pluginConnector: { python: { pipMirror } } }),
                    "pluginConnector.python.pipMirror",
                );
                assert.match(
                    line,
                    /is not an http\(s\) URL \(pip reads it as --index-url\); give the index URL such as `https:\/\/pypi\.tuna\.tsinghua\.edu\.cn\/simple`/,
                );
            });
        }

        it("a URL and an empty pipMirror pass", () => {
            for (const pipMirror of ["https://pypi.tuna.tsinghua.edu.cn/simple", "http://10.0.0.5:8080/simple/", ""]) {
                assert.doesNotThrow(
                    () => new DifyPluginRegistry("ok", base(docker, { pluginConnector: { python: { pipMirror } } }) as never),
                );
            }
        });
    });

    describe("pluginConnector.mirrorImages.registries: keys the copier would never match", () => {
        const mirror = (registries: Loose) =>
            base(docker, { pluginConnector: { imageMirror: "harbor.example.com/mirror", mirrorImages: { registries } } });

        it('"host:443" with a caFile: refused with the key that works', async () => {
            const line = await refusal(
                mirror({ "harbor.example.com:443": { caFile: "/etc/ca.pem" } }),
                "pluginConnector.mirrorImages.registries.harbor.example.com:443",
            );
            assert.ok(line.includes("would never get its caFile"), line);
            assert.ok(line.includes('write the key as "harbor.example.com"'), line);
        });

        it("uppercase: refused with the lowercase key", async () => {
            const line = await refusal(
                mirror({ "Harbor.example.com": { insecure: true } }),
                "pluginConnector.mirrorImages.registries.Harbor.example.com",
            );
            assert.ok(line.includes('write it as "harbor.example.com"'), line);
        });

        it("host and host:port keys that are matched pass", () => {
            assert.doesNotThrow(
                () =>
                    new DifyPluginRegistry(
                        "ok",
                        mirror({
                            "harbor.example.com": { caFile: "/etc/ca.pem" },
                            "10.0.0.5:5000": { insecure: true },
                            "h.example.com:443": { insecure: true },
                        }) as never,
                    ),
            );
        });
    });

    describe("the ECR build context bucket: one rule whichever key it comes from", () => {
        const s3 = (bucketName: unknown) => ({
            chart: { version: "3.9.1", values: { persistence: { type: "s3", s3: { endpoint: "", bucketName } } } },
        });

        for (const bucket of ["*", "a*", "arn:aws:s3:::b", "My_Bucket", "192.168.5.4", "xn--bucket", "b", "bucket--x-s3"]) {
            it(`chart.values.persistence.s3.bucketName ${JSON.stringify(bucket)}, as registry.buildContextBucket is`, async () => {
                const fromChart = await refusal({ registry: irsa, ...s3(bucket) }, "chart.values.persistence.s3.bucketName");
                assert.ok(fromChart.includes(`${JSON.stringify(bucket)} is not an S3 bucket name (`), fromChart);
                assert.match(fromChart, /an S3 bucket name is 3-63 lowercase letters, digits, '\.' or '-'/);
                const fromRegistry = await refusal(base({ ...irsa, buildContextBucket: bucket }), "registry.buildContextBucket");
                assert.equal(
                    fromRegistry.replace("registry.buildContextBucket", "X"),
                    fromChart.replace("chart.values.persistence.s3.bucketName", "X"),
                );
            });
        }

        it("given as an Output in chart.values: refused when it resolves, before any child", async () => {
            const { error, resources } = await evaluateFailingLater(
                () =>
                    new DifyPluginRegistry("later-bucket", {
                        registry: irsa,
                        ...s3(pulumi.output("*")),
                    } as unknown as DifyPluginRegistryArgs),
            );
            assert.match(error.message, /chart\.values\.persistence\.s3\.bucketName: "\*" is not an S3 bucket name/);
            assert.deepEqual(
                resources.map((r) => r.type),
                ["dify:index:PluginRegistry"],
            );
        });
    });

    describe("registry.auth.refresherImage", () => {
        it("must be an image reference, and only with the cronJob refresher", async () => {
            const bad = await refusal(
                base({ ...accessKey, auth: { mode: "accessKey", refresherImage: "amazon/aws-cli:2.37.0 --x" } }),
                "registry.auth.refresherImage",
            );
            assert.match(bad, /must be an image reference with the AWS CLI v2 and bash, such as `amazon\/aws-cli:2\.37\.0`/);
            const eso = await refusal(
                base({ ...accessKey, auth: { mode: "accessKey", refresher: "externalSecrets", refresherImage: "amazon/aws-cli:2.37.0" } }),
                "registry.auth.refresherImage",
            );
            assert.match(eso, /is only used with refresher "cronJob"/);
            const irsaLine = await refusal(
                base({ ...irsa, auth: { ...irsa.auth, refresherImage: "x:1" } }),
                "registry.auth.refresherImage",
            );
            assert.match(irsaLine, /is not used with auth\.mode "irsa"/);
        });
    });
});
