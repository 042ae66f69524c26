// chart.fromMirror through the real engine (issue 21): the stack program's `pulumi up` copies the helper images AND the
// stand-in chart (from its loopback Helm repository, as a Helm OCI artifact) into the loopback MIRROR (TLS with its own
// CA, htpasswd, its own login set --secret), then deploys the chart from oci://<mirror>/dify-mirror/charts/dify with
// that login and CA (helm.v4.Chart: the Kubernetes provider's own Helm). The chart's objects are read back from the API
// server; with the Helm repository stopped (a network that cannot reach it), a preview and a second up still read the
// chart from the mirror and change nothing; the state holds no login in plain text.
//
// The world is mirror.engine.test.ts's (test/support/mirrorWorld.ts); only chart.fromMirror is added.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { apiServerAvailable, ENGINE_TOOLS_HINT, type RunningApiServer } from "../support/apiServer";
import { type ChartRepository, startChartRepository } from "../support/chartRepository";
import { type EngineStack, startEngineStack } from "../support/engineStack";
import {
    assertMirrorHoldsAll,
    byName,
    comparable,
    expectedObjects,
    MIRROR_PASSWORD,
    MIRROR_USER,
    type MirrorWorld,
    PLUGIN_PASSWORD,
    PLUGIN_USER,
    readBack,
    startMirrorWorld,
} from "../support/mirrorWorld";
import { EngineWorkspace, pulumiBinary } from "../support/pulumiEngine";
import { INSTALL_HINT, registryAvailable } from "../support/registry";

type Json = Record<string, any>;

const ROOT = path.resolve(__dirname, "..", "..");

/** The stand-in chart's two objects are in the cluster, and nothing else of the release's. */
async function assertStandInObjects(api: RunningApiServer): Promise<void> {
    const objects = await api.kubectl([
        "-n",
        "dify",
        "get",
        "deployments,configmaps",
        "-l",
        "app.kubernetes.io/instance=dify",
        "-o",
        "name",
    ]);
    assert.deepEqual(objects.trim().split("\n").sort(), [
        "configmap/dify-plugin-connector-config",
        "deployment.apps/dify-plugin-connector",
    ]);
}

describe("engine: chart.fromMirror, the chart copied into the loopback mirror and deployed from it (oci://, login, CA)", () => {
    let world: MirrorWorld;
    let ws: EngineWorkspace;
    let firstUp: string;
    let registryConfig: string;

    before(async () => {
        assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        world = await startMirrorWorld();
        // The Kubernetes provider's Helm reads an OCI registry's login from Helm's registry config only (it does not
        // send repositoryOpts' login there): the mirror's login as that file, kubernetes.helmRegistryConfig.
        registryConfig = path.join(world.dir, "helm-registry.json");
        fs.writeFileSync(registryConfig, world.mirrorAuth, { mode: 0o600 });
        ws = new EngineWorkspace({ project: "dify-plugin-registry", program: path.join(ROOT, "index.ts"), typescript: true });
        await ws.init({
            namespace: "dify",
            registry: { type: "docker", server: world.plugins.host, prefix: "dify/plugins", username: PLUGIN_USER },
            // repository: where the mirror copies the chart from; fromMirror: the chart is deployed from the mirror.
            chart: { version: world.repo.version, repository: world.repo.url, defaultValuesFile: world.valuesFile, fromMirror: true },
            pushCheck: { caFile: world.plugins.caFile },
            kubernetes: { kubeconfig: world.api.kubeconfigPath, helmRegistryConfig: registryConfig },
            pluginConnector: {
                imageMirror: world.imageMirror,
                mirrorImages: {
                    registries: { [world.source.host]: { insecure: true }, [world.mirror.host]: { caFile: world.mirror.caFile } },
                },
            },
        });
        await ws.setSecret("registry.password", PLUGIN_PASSWORD);
        await ws.setSecret("pluginConnector.mirrorImages.auth", world.mirrorAuth);
    });
    after(async () => {
        await world?.stop();
        ws?.remove();
    });

    it("pulumi up succeeds", async () => {
        firstUp = await ws.ok(["up", "--yes", "--skip-preview"]);
        assert.match(firstUp, /Resources:/);
    });

    it("the mirror holds the chart as copied from the Helm repository, and every image", async () => {
        const state = JSON.parse(await ws.ok(["stack", "export"])) as Json;
        const mirror = byName(state.deployment.resources, "dify-plugin-registry-image-mirror");
        assert.deepEqual(mirror.outputs.mirroredChart.target, `${world.imageMirror}/charts/dify:${world.repo.version}`);
        assert.equal(mirror.outputs.mirroredChart.chartDigest, `sha256:${createHash("sha256").update(world.repo.tgz).digest("hex")}`);
        await assertMirrorHoldsAll(world);
    });

    it("the helm.v4.Chart holds the stand-in chart's objects; a remote component, it keeps no inputs (no login) in the state", async () => {
        const state = JSON.parse(await ws.ok(["stack", "export"])) as Json;
        const resources = state.deployment.resources as Json[];
        const chart = resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart");
        assert.ok(chart, "the helm.v4.Chart is in the state");
        assert.equal(chart.inputs, undefined);
        const children = resources.filter((r) => r.parent === chart.urn).map((r) => `${r.type}::${String(r.urn).split("::").pop()}`);
        assert.deepEqual(children.sort(), [
            "kubernetes:apps/v1:Deployment::dify-plugin-registry-dify:dify/dify-plugin-connector",
            "kubernetes:core/v1:ConfigMap::dify-plugin-registry-dify:dify/dify-plugin-connector-config",
        ]);
    });

    it("the cluster holds the stand-in chart's objects: image-repo-secret, the pinned helper images, the Deployment", async () => {
        assert.deepEqual(comparable(await readBack(world)), expectedObjects(world));
        await assertStandInObjects(world.api);
    });

    it("with the Helm repository gone, preview --expect-no-changes and a second up read the chart from the mirror alone", async () => {
        const before = world.repo.requests.length;
        await world.repo.stop();
        await ws.ok(["preview", "--expect-no-changes"]);
        const second = await ws.ok(["up", "--yes", "--skip-preview"]);
        const summary = second.slice(second.indexOf("Resources:"));
        assert.match(summary, /\d+ unchanged/, second);
        assert.doesNotMatch(summary, /created|updated|replaced|deleted/, second);
        assert.equal(world.repo.requests.length, before, "nothing asked the Helm repository");
    });

    it("the chart is read from oci://<mirror>/dify-mirror/charts/dify with that login: without it, the preview fails there", async () => {
        fs.writeFileSync(registryConfig, "{}");
        try {
            const refused = await ws.pulumi(["preview"]);
            assert.notEqual(refused.code, 0);
            const url = `https://${world.mirror.host}/v2/dify-mirror/charts/dify/manifests/${world.repo.version}`;
            assert.ok(
                (refused.stdout + refused.stderr).includes(`GET "${url}": basic credential not found`),
                refused.stdout + refused.stderr,
            );
        } finally {
            fs.writeFileSync(registryConfig, world.mirrorAuth, { mode: 0o600 });
        }
        await ws.ok(["preview", "--expect-no-changes"]);
    });

    it("pulumi stack export holds neither login in plain text, nor did the up's output", async () => {
        const text = await ws.ok(["stack", "export"]);
        for (const [user, password] of [
            [MIRROR_USER, MIRROR_PASSWORD],
            [PLUGIN_USER, PLUGIN_PASSWORD],
        ]) {
            for (const needle of [password, Buffer.from(`${user}:${password}`).toString("base64")]) {
                assert.ok(!text.includes(needle), `the state holds ${needle}`);
                assert.ok(!firstUp.includes(needle), `the up's output shows ${needle}`);
            }
        }
    });
});

// The other half of issue 21 item 1 through the engine: a private classic Helm repository that answers 401 without
// its login, read by helm.v3.Release (a custom resource: its inputs, repositoryOpts included, are kept in the state).
describe("engine: helm.v3.Release from a private Helm repository, chart.username + chart.password set --secret", () => {
    const CHART_USER = "chart-reader";
    const CHART_PASSWORD = "chart-Sentinel-pw-41d0";
    let world: EngineStack;
    let repo: ChartRepository;
    let up: string;

    before(async () => {
        assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
        repo = await startChartRepository({ auth: { username: CHART_USER, password: CHART_PASSWORD } });
        world = await startEngineStack({
            chart: { version: repo.version, repository: repo.url, kind: "release", skipAwait: true, username: CHART_USER },
        });
        await world.ws.setSecret("chart.password", CHART_PASSWORD);
    });
    after(async () => {
        await repo?.stop();
        await world?.stop();
    });

    it("pulumi up reads the chart with the login and deploys it", async () => {
        up = await world.ws.ok(["up", "--yes", "--skip-preview"]);
        assert.ok(repo.requests.includes("/index.yaml") && repo.requests.includes(`/dify-${repo.version}.tgz`), repo.requests.join(" "));
        await assertStandInObjects(world.api);
    });

    it("the state keeps repositoryOpts with the password secret (encrypted), the rest as given; no password in plain text anywhere", async () => {
        const exported = await world.ws.ok(["stack", "export"]);
        const release = (JSON.parse(exported) as Json).deployment.resources.find((r: Json) => r.type === "kubernetes:helm.sh/v3:Release");
        assert.ok(release, "the Release is in the state");
        const { password, ...rest } = release.inputs.repositoryOpts;
        // The provider's check fills the TLS file keys it was not given with "".
        assert.deepEqual(rest, { repo: repo.url, username: CHART_USER, caFile: "", certFile: "", keyFile: "" });
        assert.equal(password["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "the password is a secret");
        assert.equal(typeof password.ciphertext, "string");
        const preview = await world.ws.ok(["preview", "--diff"]);
        for (const [what, text] of [
            ["stack export", exported],
            ["the up's output", up],
            ["preview --diff", preview],
            ["the stack file", world.ws.stackFile()],
        ]) {
            for (const needle of [CHART_PASSWORD, Buffer.from(`${CHART_USER}:${CHART_PASSWORD}`).toString("base64")]) {
                assert.ok(!text.includes(needle), `${what} holds ${needle}`);
            }
        }
    });
});
