/**
 * Issue 17, items 6 and 8: what holds a credential runs a pinned image, and what a grant covers is said plainly.
 * - The ECR token refresher (its pod holds the IAM user's access key) runs `amazon/aws-cli` pinned to a 2.x version,
 *   never `latest`; `registry.auth.refresherImage` overrides it, as `pluginConnector.images.awsCli` and the mirror did.
 * - ACR: AcrPush is on the whole registry (azure-native cannot narrow it, docs/acr.md); the role assignment's
 *   description, the synth output and `registryOutputs.pushScope` say so.
 * - ECR build context: the chart states no prefix for build contexts, so the grant stays bucket-wide, and docs/ecr.md
 *   says so plainly.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { DEFAULT_AWS_CLI_IMAGE } from "../components/plan";
import { formatSynth, synthStack } from "../program/offline/synth";
import { readStackFile, stackFilePath } from "../program/offline/stackFile";
import { ACCOUNT, answerAws } from "./support/awsAnswers";
import { answerAzure, registryArmId } from "./support/cloudAnswers";
import { AWS } from "./support/ecr";
import { evaluate } from "./support/evaluate";
import { answerResource, RecordedResource, resolved, stopAnswering, useMocks } from "./support/mocks";

const ROOT = path.resolve(__dirname, "..");
const MIRROR = "harbor.internal.example.com/dify-mirror";
const DYNAMIC_TYPE = "pulumi-nodejs:dynamic:Resource";
const accessKey = (auth: Record<string, unknown> = {}) => ({
    type: "ecr" as const,
    region: AWS.region,
    prefix: "dify",
    accountId: ACCOUNT,
    auth: { mode: "accessKey" as const, ...auth },
});

/** The image of the refresher's CronJob and of its deploy-time Job (asserted equal). */
function refresherImage(resources: readonly RecordedResource[]): string {
    const image = (type: string) => {
        const r = resources.find((x) => x.type === type)!.inputs as Record<string, any>;
        const spec = type.endsWith("CronJob") ? r.spec.jobTemplate.spec : r.spec;
        return spec.template.spec.containers[0].image as string;
    };
    assert.equal(image("kubernetes:batch/v1:CronJob"), image("kubernetes:batch/v1:Job"));
    return image("kubernetes:batch/v1:Job");
}

describe("least privilege and pinned images", () => {
    before(() => answerAws());
    after(() => {
        pulumi.runtime.setAllConfig({});
        useMocks();
    });

    describe("the ECR token refresher's image (it holds the IAM access key)", () => {
        it("defaults to amazon/aws-cli pinned to a 2.x version, never latest", async () => {
            assert.match(DEFAULT_AWS_CLI_IMAGE, /^amazon\/aws-cli:2\.\d+\.\d+$/);
            const resources = await evaluate(
                () => new DifyPluginRegistry("dify", { registry: accessKey(), chart: { version: "3.9.1" }, pushCheck: false }),
            );
            assert.equal(refresherImage(resources), DEFAULT_AWS_CLI_IMAGE);
        });

        it("registry.auth.refresherImage overrides it, used as given", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        registry: accessKey({ refresherImage: "registry.example.com/tools/aws-cli:2.30.1" }),
                        chart: { version: "3.9.1" },
                        pluginConnector: { images: { awsCli: "registry.example.com/other/aws-cli:2.22.0" } },
                        pushCheck: false,
                    }),
            );
            assert.equal(refresherImage(resources), "registry.example.com/tools/aws-cli:2.30.1");
        });

        it("pluginConnector.images.awsCli still overrides the default", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        registry: accessKey(),
                        chart: { version: "3.9.1" },
                        pluginConnector: { images: { awsCli: "registry.example.com/other/aws-cli:2.22.0" } },
                        pushCheck: false,
                    }),
            );
            assert.equal(refresherImage(resources), "registry.example.com/other/aws-cli:2.22.0");
        });

        it("with a mirror: the pinned default moved to the mirror, and mirrorImages copies exactly that image", async () => {
            answerResource(DYNAMIC_TYPE, (a) => {
                const plan = (a.inputs as { plan: { source: string; target: string }[] }).plan;
                return { id: "mirror-1", state: { ...a.inputs, images: plan.map((i) => ({ ...i, digest: `sha256:${"0".repeat(64)}` })) } };
            });
            try {
                const resources = await evaluate(
                    () =>
                        new DifyPluginRegistry("dify", {
                            registry: accessKey(),
                            chart: { version: "3.9.1" },
                            pluginConnector: { imageMirror: MIRROR, mirrorImages: {} },
                            pushCheck: false,
                        } as DifyPluginRegistryArgs),
                );
                const target = `${MIRROR}/${DEFAULT_AWS_CLI_IMAGE}`;
                assert.equal(refresherImage(resources), target);
                const mirror = resources.find((r) => r.type === DYNAMIC_TYPE && r.name === "dify-image-mirror")!;
                const plan = mirror.inputs.plan as { source: string; target: string }[];
                assert.ok(
                    plan.some((i) => i.source === `docker.io/${DEFAULT_AWS_CLI_IMAGE}` && i.target === target),
                    JSON.stringify(plan),
                );
            } finally {
                stopAnswering(DYNAMIC_TYPE);
            }
        });
    });

    describe("ACR: the push identity's scope, said plainly", () => {
        before(() => answerAzure());

        it("the role assignment describes AcrPush on the whole registry; synth prints it; registryOutputs.pushScope", async () => {
            const file = readStackFile(stackFilePath(ROOT, "acr"));
            const result = await synthStack("acr", file);
            const role = result.resources.find((r) => r.type === "azure-native:authorization:RoleAssignment")!;
            assert.match(
                String(role.inputs.description),
                /AcrPush on the whole registry - may push to, overwrite tags in and pull from every repository of this registry, not only dify\/plugins\/\*/,
            );
            const text = formatSynth("acr", file, result);
            assert.ok(text.includes(`description: "Dify plugin builds (prefix dify/plugins/): AcrPush on the whole registry`), text);

            // synth ran as a preview; outputs resolve under the ordinary mocks.
            useMocks();
            let component!: DifyPluginRegistry;
            await evaluate(
                () =>
                    (component = new DifyPluginRegistry("acr", {
                        registry: {
                            type: "acr",
                            existingRegistryId: registryArmId("rg-shared", "reg01"),
                            prefix: "dify",
                            credential: { issuedOn: "2026-11-01" },
                        },
                        chart: { version: "3.9.1" },
                        pushCheck: false,
                    })),
            );
            assert.equal(((await resolved(component.registryOutputs)) as Record<string, unknown>).pushScope, "registry");
        });
    });

    it("ECR build context: docs/ecr.md says plainly that the grant covers the whole bucket, and why", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "ecr.md"), "utf8");
        assert.ok(doc.includes("**The grant covers every object in the bucket, not only build contexts.**"));
        assert.match(doc, /no storage-path or prefix key for the\s+plugin connector/);
    });
});
