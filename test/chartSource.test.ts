// Where the Dify chart comes from (issue 21): an oci:// reference, a private Helm repository with a login and a CA,
// and chart.fromMirror (the image mirror's oci://<mirror>/charts/dify, its login and CA; mirrorImages copies the chart
// too). Exact inputs of helm.v4.Chart / helm.v3.Release and of the ImageMirror under the shared mocks; the login only
// ever secret; bad input refused before anything is registered, naming the key.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry, type DifyPluginRegistryArgs } from "../components";
import { kubernetesProviderArgs, parseStackConfig, toComponentArgs } from "../program/config";
import { DYNAMIC_TYPE } from "./support/dynamicProviders";
import { evaluate } from "./support/evaluate";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { specialAssetSig, specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { answerResource, redactSecrets, stopAnswering } from "./support/mocks";
import { basicAuth, rejected } from "./support/rejected";

const PASSWORD = "chart-pw-Zq81";
const REGISTRY_PASSWORD = "hunter2-registry";
const CA = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chart-ca-")), "ca.crt");
fs.writeFileSync(CA, "-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n");

const base = (chart: Record<string, unknown>, over: Record<string, unknown> = {}): DifyPluginRegistryArgs =>
    ({
        registry: {
            type: "docker",
            server: "harbor.example.com",
            prefix: "dify-plugins",
            username: "robot",
            password: pulumi.secret(REGISTRY_PASSWORD),
        },
        chart: { version: "3.9.1", ...chart },
        pushCheck: false,
        ...over,
    }) as DifyPluginRegistryArgs;

type Recorded = readonly { type: string; name: string; inputs: Record<string, unknown> }[];

/**
 * The inputs of every registration as serialized for the engine (`type::name` → the request's properties), read before
 * the mock monitor deserializes them: its deserializer (`deserializeProperty` in @pulumi/pulumi's runtime/rpc.js) lifts
 * a secret to the object that holds it, so `repositoryOpts` would look wholly secret there, while the engine keeps the
 * secret marker where the program put it (on the password).
 */
const sent = new Map<string, Record<string, unknown>>();
const originalRegister = MockMonitor.prototype.registerResource;
before(() => {
    MockMonitor.prototype.registerResource = function (this: MockMonitor, req: any, callback: any) {
        sent.set(`${req.getType()}::${req.getName()}`, req.getObject().toJavaScript());
        return originalRegister.call(this, req, callback);
    };
});
after(() => {
    MockMonitor.prototype.registerResource = originalRegister;
});
beforeEach(() => sent.clear());

const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
const fileAsset = (file: string) => ({ [specialSigKey]: specialAssetSig, __pulumiAsset: true, path: file });

/** The chart resource's inputs as sent, without its values. */
const chartInputs = (type = "kubernetes:helm.sh/v4:Chart") => {
    const found = [...sent].filter(([key]) => key.startsWith(`${type}::`));
    assert.equal(found.length, 1, `one ${type}`);
    const { values: _values, ...rest } = found[0][1];
    return rest;
};

/** Every input sent, and every input recorded, with secrets redacted: no secret may be in any of them. */
const noPlainSecret = (resources: Recorded, ...secrets: string[]) => {
    const text = JSON.stringify([...[...sent.values()].map(redactSecrets), ...resources.map((r) => redactSecrets(r.inputs))]);
    assert.ok(sent.size > 0 && resources.length > 0);
    for (const s of secrets) assert.ok(!text.includes(s), `${s} appears outside a secret`);
};

/** The component with `chart.fromMirror` (plus `chart`), the image mirror and its `mirrorImages` settings. */
const deployFromMirror = (chart: Record<string, unknown>, imageMirror: string, mirrorImages: Record<string, unknown>) =>
    evaluate(
        () => new DifyPluginRegistry("dify", base({ fromMirror: true, ...chart }, { pluginConnector: { imageMirror, mirrorImages } })),
    );

describe("chart source: an OCI reference, a private Helm repository, the image mirror", () => {
    it("helm.v4.Chart from oci://: the reference alone (no repo), the login with only the password secret, the CA as a file asset", async () => {
        const resources = await evaluate(
            () =>
                new DifyPluginRegistry(
                    "dify",
                    base({ chart: "oci://charts.example.com/dify/dify", username: "reader", password: PASSWORD, caFile: CA }),
                ),
        );
        assert.deepEqual(chartInputs(), {
            name: "dify",
            chart: "oci://charts.example.com/dify/dify",
            version: "3.9.1",
            namespace: "dify",
            skipAwait: false,
            repositoryOpts: { username: "reader", password: secret(PASSWORD), caFile: fileAsset(CA) },
        });
        noPlainSecret(resources, PASSWORD, REGISTRY_PASSWORD);
    });

    it("helm.v4.Chart from a private Helm repository: repo, the login, no CA", async () => {
        const resources = await evaluate(
            () =>
                new DifyPluginRegistry(
                    "dify",
                    base({ repository: "https://nexus.example.com/repository/helm", username: "ci", password: pulumi.secret(PASSWORD) }),
                ),
        );
        assert.deepEqual(chartInputs().repositoryOpts, {
            repo: "https://nexus.example.com/repository/helm",
            username: "ci",
            password: secret(PASSWORD),
        });
        assert.equal(chartInputs().chart, "dify");
        noPlainSecret(resources, PASSWORD, REGISTRY_PASSWORD);
    });

    it("helm.v3.Release from a private Helm repository: repo, the login from a docker config (username and password secret), the CA as a path", async () => {
        const auth = JSON.stringify({ auths: { "https://nexus.example.com": { auth: basicAuth("ci", PASSWORD) } } });
        const resources = await evaluate(
            () =>
                new DifyPluginRegistry(
                    "dify",
                    base({
                        kind: "release",
                        repository: "https://nexus.example.com/repository/helm",
                        auth: pulumi.secret(auth),
                        caFile: CA,
                    }),
                ),
        );
        const inputs = chartInputs("kubernetes:helm.sh/v3:Release");
        // Read from a secret, the username stays secret too.
        assert.deepEqual(inputs.repositoryOpts, {
            repo: "https://nexus.example.com/repository/helm",
            username: secret("ci"),
            password: secret(PASSWORD),
            caFile: CA,
        });
        assert.deepEqual([inputs.chart, inputs.version], ["dify", "3.9.1"]);
        noPlainSecret(resources, PASSWORD, REGISTRY_PASSWORD);
    });

    describe("chart.fromMirror", () => {
        beforeEach(() =>
            answerResource(DYNAMIC_TYPE, (a) => {
                const { auth: _auth, __provider: _p, ...inputs } = a.inputs as Record<string, unknown>;
                const plan = inputs.plan as { source: string; target: string }[];
                return { id: "mirror-1", state: { ...inputs, images: plan.map((i) => ({ ...i, digest: `sha256:${"a".repeat(64)}` })) } };
            }),
        );
        afterEach(() => stopAnswering(DYNAMIC_TYPE));

        it("reads oci://<imageMirror>/charts/dify with the mirror's login (the registry's) and CA; mirrorImages copies the chart too", async () => {
            const resources = await deployFromMirror({}, "harbor.example.com/dify-mirror", {
                registries: { "harbor.example.com": { caFile: CA } },
            });
            const inputs = chartInputs();
            assert.equal(inputs.chart, "oci://harbor.example.com/dify-mirror/charts/dify");
            assert.deepEqual(inputs.repositoryOpts, {
                username: secret("robot"),
                password: secret(REGISTRY_PASSWORD),
                caFile: fileAsset(CA),
            });
            const mirror = sent.get(`${DYNAMIC_TYPE}::dify-image-mirror`) ?? [...sent].find(([k]) => k.startsWith(DYNAMIC_TYPE))![1];
            assert.deepEqual(mirror.chart, {
                repository: "https://langgenius.github.io/dify-helm",
                chart: "dify",
                version: "3.9.1",
                target: "harbor.example.com/dify-mirror/charts/dify",
            });
            // The chart waits for the mirror that copies it.
            assert.ok(resources.some((r) => r.type === DYNAMIC_TYPE));
            noPlainSecret(resources, REGISTRY_PASSWORD);
        });

        it("mirrorImages.auth is the login when given; helm.v3.Release gets the CA as a path", async () => {
            const auth = JSON.stringify({ auths: { "harbor.example.com": { auth: basicAuth("mirror-bot", PASSWORD) } } });
            const resources = await deployFromMirror({ kind: "release" }, "harbor.example.com/dify-mirror", {
                auth: pulumi.secret(auth),
                registries: { "harbor.example.com": { caFile: CA } },
            });
            const inputs = chartInputs("kubernetes:helm.sh/v3:Release");
            assert.equal(inputs.chart, "oci://harbor.example.com/dify-mirror/charts/dify");
            assert.deepEqual(inputs.repositoryOpts, { username: secret("mirror-bot"), password: secret(PASSWORD), caFile: CA });
            noPlainSecret(resources, PASSWORD, REGISTRY_PASSWORD);
        });

        it("a plain-HTTP mirror: helm.v4.Chart reads it with plainHttp", async () => {
            await deployFromMirror({}, "10.0.0.5:5000/m", { registries: { "10.0.0.5:5000": { insecure: true } } });
            const inputs = chartInputs();
            assert.equal(inputs.chart, "oci://10.0.0.5:5000/m/charts/dify");
            assert.equal(inputs.plainHttp, true);
            // The plugin registry's login has no entry for this mirror: Helm reads anonymously.
            assert.deepEqual(inputs.repositoryOpts, { username: secret(""), password: secret("") });
        });

        it("mirrorImages.chart: false copies only the images; the chart is still read from the mirror", async () => {
            await deployFromMirror({}, "harbor.example.com/m", { chart: false });
            const mirror = [...sent].find(([k]) => k.startsWith(DYNAMIC_TYPE))![1];
            assert.equal(mirror.chart, undefined);
            assert.ok(Array.isArray(mirror.plan) && mirror.plan.length > 0);
            assert.equal(chartInputs().chart, "oci://harbor.example.com/m/charts/dify");
        });
    });

    it("stack config: chart.password and chart.auth are secret however they are set; chart.fromMirror passes through", async () => {
        const config = parseStackConfig({
            registry: { type: "docker", server: "harbor.example.com", prefix: "p", username: "u", password: "x" },
            chart: { version: "3.9.1", chart: "oci://charts.example.com/dify", username: "reader", password: PASSWORD, fromMirror: false },
        });
        const args = toComponentArgs(config);
        assert.ok(await isSecretOutput(args.chart.password));
        assert.deepEqual([args.chart.username, args.chart.fromMirror], ["reader", false]);
        const withAuth = toComponentArgs(
            parseStackConfig({
                registry: { type: "docker", server: "harbor.example.com", prefix: "p", username: "u", password: "x" },
                chart: { version: "3.9.1", chart: "oci://charts.example.com/dify", auth: "{}" },
            }),
        );
        assert.ok(await isSecretOutput(withAuth.chart.auth));
        assert.equal(await isSecretOutput(args.chart.username), false);
    });
});

describe("stack config: kubernetes.helmRegistryConfig, where the provider's Helm reads an OCI chart's login", () => {
    it("becomes the Kubernetes provider's helmReleaseSettings.registryConfigPath, resolved against the project directory", () => {
        const config = parseStackConfig({
            registry: { type: "docker", server: "harbor.example.com", prefix: "p", username: "u", password: "x" },
            chart: { version: "3.9.1", fromMirror: true },
            pluginConnector: { imageMirror: "harbor.example.com/m" },
            kubernetes: { helmRegistryConfig: "certs/helm-registry.json" },
        });
        assert.deepEqual(kubernetesProviderArgs(config.kubernetes!).helmReleaseSettings, {
            registryConfigPath: path.resolve("certs/helm-registry.json"),
        });
        assert.equal(kubernetesProviderArgs({}).helmReleaseSettings, undefined);
    });
});

const isSecretOutput = async (value: unknown): Promise<boolean> =>
    pulumi.Output.isInstance(value) && (await (value as unknown as { isSecret: Promise<boolean> }).isSecret);

describe("chart source: bad input refused before anything is registered, naming the key", () => {
    for (const [what, chart, over, message] of [
        [
            "an oci:// reference with a repository as well",
            { chart: "oci://charts.example.com/dify", repository: "https://charts.example.com" },
            {},
            /chart\.repository: must not be given with an OCI chart \(chart\.chart "oci:\/\/charts\.example\.com\/dify" names its registry\); remove chart\.repository/,
        ],
        [
            "a login without a server (the default public repository)",
            { username: "reader", password: PASSWORD },
            {},
            /chart\.username: a login needs the server it is for: give chart\.repository \(the Helm repository's https:\/\/ URL\) or chart\.chart as an OCI reference/,
        ],
        [
            "a chart version that is not pinned (an OCI tag range)",
            { chart: "oci://charts.example.com/dify", version: "^3.9" },
            {},
            /chart\.version: must be a pinned semver version such as "3\.9\.1", got "\^3\.9"/,
        ],
        [
            "an oci:// reference with a tag",
            { chart: "oci://charts.example.com/dify:3.9.1" },
            {},
            /chart\.chart: .*names a tag or digest; the version is chart\.version/,
        ],
        [
            "an oci:// repository",
            { repository: "oci://charts.example.com/helm" },
            {},
            /chart\.repository: is a classic Helm repository's http\(s\):\/\/ URL; for an OCI registry give the chart as chart\.chart: "oci:\/\/charts\.example\.com\/helm\/dify"/,
        ],
        [
            "a username without a password",
            { chart: "oci://charts.example.com/dify", username: "reader" },
            {},
            /chart\.password: a login is chart\.username and chart\.password, both/,
        ],
        [
            "a docker config without an entry for the chart's server (the secret not echoed)",
            {
                chart: "oci://charts.example.com/dify",
                auth: JSON.stringify({ auths: { "other.example.com": { auth: basicAuth("u", PASSWORD) } } }),
            },
            {},
            /chart\.auth: has no login for charts\.example\.com, the chart's server/,
        ],
        ["fromMirror without an image mirror", { fromMirror: true }, {}, /chart\.fromMirror: needs pluginConnector\.imageMirror/],
        [
            "fromMirror with an oci:// chart as well",
            { fromMirror: true, chart: "oci://charts.example.com/dify" },
            { pluginConnector: { imageMirror: "harbor.example.com/m" } },
            /chart\.chart: is the chart's name with chart\.fromMirror \(the reference is oci:\/\/harbor\.example\.com\/m\/charts\/<name>\)/,
        ],
        [
            "fromMirror with helm.v3.Release and a plain-HTTP mirror",
            { fromMirror: true, kind: "release" },
            { pluginConnector: { imageMirror: "10.0.0.5:5000/m", mirrorImages: { registries: { "10.0.0.5:5000": { insecure: true } } } } },
            /chart\.fromMirror: the mirror 10\.0\.0\.5:5000 speaks plain HTTP \(mirrorImages\.registries\), which helm\.v3\.Release cannot read charts over; use chart\.kind "chart"/,
        ],
        ["a CA file without a server", { caFile: "/etc/ssl/ca.pem" }, {}, /chart\.caFile: a CA file needs the server it is for/],
        [
            "a docker config and a username both",
            { chart: "oci://charts.example.com/dify", username: "u", auth: "{}" },
            {},
            /chart\.auth: is the login as a docker config, instead of chart\.username and chart\.password: give one or the other/,
        ],
        [
            "mirrorImages.chart with an OCI chart",
            { chart: "oci://charts.example.com/dify" },
            { pluginConnector: { imageMirror: "harbor.example.com/m", mirrorImages: { chart: true } } },
            /pluginConnector\.mirrorImages\.chart: copies the chart from a Helm repository/,
        ],
    ] as const) {
        it(what, async () => {
            const error = await rejected(base({ ...chart }, over as Record<string, unknown>));
            assert.match(error, message);
            assert.ok(!error.includes(PASSWORD), "the secret is not echoed");
        });
    }
});
