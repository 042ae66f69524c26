// pluginConnector.mirrorImages under the shared mocks: the ImageMirror child, its secret login, and the helper images
// and python build bases pinned by the digests the mirror resource records.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { parseStackConfig, toComponentArgs } from "../program/config";
import { DYNAMIC_TYPE } from "./support/dynamicProviders";
import { evaluate, thrownBy } from "./support/evaluate";
import { answerResource, isSecretValue, registered, resetRecorded, resolved, settle, stopAnswering, unwrapSecrets } from "./support/mocks";

const PARENT = "dify:index:PluginRegistry::dify";
const MIRROR = "mirror.example.com:8443/dify";
const AUTH = JSON.stringify({
    auths: { "mirror.example.com:8443": { auth: Buffer.from("pusher:Sentinel-mirror-pw").toString("base64") } },
});
const fakeDigest = (target: string) => `sha256:${createHash("sha256").update(target).digest("hex")}`;

const args = (mirrorImages: unknown, over: Partial<DifyPluginRegistryArgs> = {}): DifyPluginRegistryArgs => ({
    registry: {
        type: "docker",
        server: "harbor.example.com",
        prefix: "dify-plugins",
        username: "robot$dify",
        password: pulumi.secret("hunter2"),
    },
    chart: { version: "3.9.1" },
    pluginConnector: { imageMirror: MIRROR, mirrorImages: mirrorImages as never },
    // The push check is another dynamic resource, with tests of its own (test/check.component.test.ts).
    pushCheck: false,
    ...over,
});

const PLAN = [
    ["docker.io/library/nginx:1.29.4-alpine", `${MIRROR}/nginx:1.29.4-alpine`],
    ["gcr.io/kaniko-project/executor:latest", `${MIRROR}/kaniko-project/executor:latest`],
    ["docker.io/library/busybox:latest", `${MIRROR}/busybox:latest`],
    ["docker.io/langgenius/plugin-build-base-python:3.14-secure", `${MIRROR}/langgenius/plugin-build-base-python:3.14-secure`],
    ["docker.io/langgenius/plugin-build-base-python:3.13-secure", `${MIRROR}/langgenius/plugin-build-base-python:3.13-secure`],
    ["docker.io/langgenius/plugin-build-base-python:3.12-secure", `${MIRROR}/langgenius/plugin-build-base-python:3.12-secure`],
].map(([source, target]) => ({ source, target }));

const chartOf = (resources: readonly { type: string; inputs: Record<string, unknown> }[]) =>
    resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart")!.inputs.values as { plugin_connector: Record<string, unknown> };

describe("pluginConnector.mirrorImages: the ImageMirror child and images pinned by digest", () => {
    beforeEach(() => {
        // The engine's part: the mirror resource records a digest per target (its provider is tested live elsewhere).
        answerResource(DYNAMIC_TYPE, (a) => {
            const { auth: _auth, __provider: _p, ...inputs } = a.inputs as Record<string, unknown>;
            const plan = inputs.plan as { source: string; target: string }[];
            return { id: "mirror-1", state: { ...inputs, images: plan.map((i) => ({ ...i, digest: fakeDigest(i.target) })) } };
        });
    });
    afterEach(() => stopAnswering(DYNAMIC_TYPE));

    it("without it nothing changes: no mirror resource, tags unpinned", async () => {
        const resources = await evaluate(
            () => new DifyPluginRegistry("dify", { ...args(undefined), pluginConnector: { imageMirror: MIRROR } }),
        );
        assert.ok(!resources.some((r) => r.type === DYNAMIC_TYPE));
        assert.equal(chartOf(resources).plugin_connector.gatewayImage, `${MIRROR}/nginx:1.29.4-alpine`);
    });

    it("registers the mirror as a child before the chart, with the chart version's image set as its plan", async () => {
        const resources = await evaluate(
            () => new DifyPluginRegistry("dify", args({ auth: pulumi.secret(AUTH), platforms: ["linux/amd64"], concurrency: 8 })),
        );
        // The Secret and the mirror (with its own login) are independent: only the chart's place is fixed, last.
        assert.deepEqual(
            resources.map((r) => [r.type, r.name, r.parent]).sort(),
            [
                ["dify:index:PluginRegistry", "dify", undefined],
                ["kubernetes:core/v1:Namespace", "dify-namespace", PARENT],
                ["kubernetes:core/v1:Secret", "dify-image-repo-secret", PARENT],
                [DYNAMIC_TYPE, "dify-image-mirror", PARENT],
                ["kubernetes:helm.sh/v4:Chart", "dify-dify", PARENT],
            ].sort(),
        );
        assert.equal(resources.at(-1)?.type, "kubernetes:helm.sh/v4:Chart", "the chart waits for the mirror");
        const mirror = resources.find((r) => r.type === DYNAMIC_TYPE)!;
        assert.deepEqual(mirror.inputs.plan, PLAN);
        assert.deepEqual(mirror.inputs.platforms, ["linux/amd64"]);
        assert.equal(mirror.inputs.concurrency, 8);
        assert.match(String(mirror.inputs.__provider), /^exports\.handler = /);
    });

    it("pins every helper image and python build base in plugin_connector by its mirrored digest", async () => {
        const resources = await evaluate(() => new DifyPluginRegistry("dify", args({ auth: AUTH })));
        const { generatorConf, ...connector } = chartOf(resources).plugin_connector;
        const pinned = (ref: string) => `${ref}@${fakeDigest(ref)}`;
        assert.equal(connector.gatewayImage, pinned(`${MIRROR}/nginx:1.29.4-alpine`));
        assert.equal(connector.shaderImage, pinned(`${MIRROR}/kaniko-project/executor:latest`));
        assert.equal(connector.busyBoxImage, pinned(`${MIRROR}/busybox:latest`));
        // Only ECR pulls aws-cli: it is not mirrored for a docker registry, and so not pinned.
        assert.equal(connector.awsCliImage, `${MIRROR}/amazon/aws-cli:latest`);
        assert.deepEqual(YAML.parse(generatorConf as string).generator.python.versions, {
            "python3.14": { langgenius: pinned(`${MIRROR}/langgenius/plugin-build-base-python:3.14-secure`) },
            "python3.13": { langgenius: pinned(`${MIRROR}/langgenius/plugin-build-base-python:3.13-secure`) },
            "python3.12": { langgenius: pinned(`${MIRROR}/langgenius/plugin-build-base-python:3.12-secure`) },
        });
    });

    it("mirrors every image of the chart's values with chartValues, and an image pinned by digest stays as given", async () => {
        const digest = `sha256:${"a".repeat(64)}`;
        const withPinned = await evaluate(
            () =>
                new DifyPluginRegistry("dify", {
                    ...args({}),
                    pluginConnector: {
                        imageMirror: MIRROR,
                        images: { busyBox: `busybox:1.37@${digest}` },
                        mirrorImages: { auth: AUTH, chartValues: { api: { image: { repository: "langgenius/dify-api", tag: "1.9.0" } } } },
                    },
                }),
        );
        const plan = withPinned.find((r) => r.type === DYNAMIC_TYPE)!.inputs.plan as { source: string; target: string }[];
        assert.deepEqual(plan.at(-1), { source: "docker.io/langgenius/dify-api:1.9.0", target: `${MIRROR}/langgenius/dify-api:1.9.0` });
        assert.ok(plan.some((i) => i.source === `docker.io/library/busybox:1.37@${digest}`));
        assert.equal(chartOf(withPinned).plugin_connector.busyBoxImage, `${MIRROR}/busybox:1.37@${digest}`);
    });

    it("passes the login secret-wrapped and it appears in no output or other resource", async () => {
        let component: DifyPluginRegistry | undefined;
        const resources = await evaluate(() => {
            component = new DifyPluginRegistry("dify", args({ auth: AUTH }));
        });
        const mirror = resources.find((r) => r.type === DYNAMIC_TYPE)!;
        assert.ok(isSecretValue(mirror.inputs.auth), "auth is secret-wrapped");
        assert.equal(unwrapSecrets(mirror.inputs.auth), AUTH);
        const others = JSON.stringify(resources.filter((r) => r !== mirror).map((r) => unwrapSecrets(r.inputs)));
        const outputs = JSON.stringify(await resolved(pulumi.all([component!.pluginConnectorValues, component!.registryOutputs])));
        for (const text of [others, outputs]) {
            assert.ok(!text.includes("Sentinel-mirror-pw") && !text.includes(Buffer.from("pusher:Sentinel-mirror-pw").toString("base64")));
        }
    });

    it("defaults the login to the plugin registry's (image-repo-secret), still secret", async () => {
        const resources = await evaluate(() => new DifyPluginRegistry("dify", args({})));
        const auth = resources.find((r) => r.type === DYNAMIC_TYPE)!.inputs.auth;
        assert.ok(isSecretValue(auth));
        assert.deepEqual(JSON.parse(String(unwrapSecrets(auth))), {
            auths: { "harbor.example.com": { auth: Buffer.from("robot$dify:hunter2").toString("base64") } },
        });
    });

    describe("rejects bad settings by name before anything is registered", () => {
        for (const [what, settings, over, expected] of [
            [
                "no imageMirror",
                { auth: AUTH },
                { pluginConnector: { mirrorImages: { auth: AUTH } } },
                /pluginConnector\.mirrorImages: needs pluginConnector\.imageMirror/,
            ],
            ["not an object", "yes", {}, /pluginConnector\.mirrorImages: expected object, received string/],
            [
                "an unknown setting",
                { auth: AUTH, allImages: true },
                {},
                /pluginConnector\.mirrorImages\.allImages: unknown key \(valid: auth, platforms, chartValues, chart, concurrency, registries\)/,
            ],
            ["a bad platform", { platforms: ["linux"] }, {}, /pluginConnector\.mirrorImages\.platforms\[0\]: invalid platform "linux"/],
            [
                "concurrency 0",
                { concurrency: 0 },
                {},
                /pluginConnector\.mirrorImages\.concurrency: must be an integer from 1 to 256, got 0/,
            ],
            [
                "a bad registry host",
                { registries: { "https://x.example.com": { insecure: true } } },
                {},
                /pluginConnector\.mirrorImages\.registries\.https:\/\/x\.example\.com: /,
            ],
            [
                "insecure and caFile together",
                { registries: { "x.example.com": { insecure: true, caFile: "/ca.pem" } } },
                {},
                /exclude each other/,
            ],
            [
                "chartValues not an object",
                { chartValues: "values.yaml" },
                {},
                /pluginConnector\.mirrorImages\.chartValues: expected record, received string/,
            ],
        ] as const) {
            it(what, async () => {
                resetRecorded();
                const error = thrownBy(() => new DifyPluginRegistry("bad", { ...args(settings), ...(over as object) }));
                await settle();
                assert.ok(pulumi.InputPropertiesError.isInstance(error), String(error));
                assert.match(error.message, expected);
                assert.deepEqual(registered(), []);
            });
        }

        it("a login that is not docker config JSON, without echoing it", async () => {
            resetRecorded();
            const error = thrownBy(() => new DifyPluginRegistry("bad", args({ auth: "user:Sentinel-plain-pw" })));
            await settle();
            assert.match(error.message, /pluginConnector\.mirrorImages\.auth: must be docker config JSON/);
            assert.ok(!error.message.includes("Sentinel-plain-pw"));
            assert.deepEqual(registered(), []);
        });
    });

    it("stack config: pluginConnector.mirrorImages is validated by zod, its auth wrapped secret, its chartValuesFile read", async () => {
        const valuesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "values-")), "values.yaml");
        fs.writeFileSync(valuesFile, "api:\n  image:\n    repository: langgenius/dify-api\n    tag: 1.9.0\n");
        const config = parseStackConfig({
            registry: { type: "docker", server: "harbor.example.com", prefix: "dify", username: "u", password: "p" },
            chart: { version: "3.9.1" },
            pluginConnector: {
                imageMirror: MIRROR,
                mirrorImages: { auth: AUTH, platforms: ["linux/amd64"], chartValuesFile: valuesFile },
            },
        });
        const mirrorImages = toComponentArgs(config).pluginConnector!.mirrorImages!;
        assert.equal(await resolved(pulumi.output(mirrorImages.auth!)), AUTH);
        assert.ok(await pulumi.isSecret(pulumi.output(mirrorImages.auth!)));
        assert.deepEqual(mirrorImages.platforms, ["linux/amd64"]);
        assert.deepEqual(mirrorImages.chartValues, { api: { image: { repository: "langgenius/dify-api", tag: "1.9.0" } } });
        assert.throws(
            () => parseStackConfig({ ...config, pluginConnector: { imageMirror: MIRROR, mirrorImages: { allImages: true } } }),
            /dify-plugin-registry:pluginConnector\.mirrorImages\.allImages: unknown key/,
        );
    });
});
