// pluginConnector.mirrorImages through the real engine (issue 18, 2d): the stack program's `pulumi up` copies the chart
// version's helper images and python build bases from a loopback SOURCE registry (plain HTTP, anonymous) into a
// loopback MIRROR (TLS with its own CA, htpasswd, its own login given as a secret) and pins them by digest in
// plugin_connector; read back from the API server and from the mirror with skopeo. A second up changes nothing.
//
// No network but loopback: the images the chart version names (docker.io, gcr.io) cannot be fetched, so the version's
// defaults are given as chart.defaultValuesFile — the 3.9.1 plugin sections with every helper image and build base
// replaced by one in the source registry (test/support/mirrorWorld.ts). The push check stays on (what users get),
// against a third registry: the plugin registry, TLS + htpasswd. The objects read back are `expectedObjects`, which the
// examples in other languages are held to as well (languages.engine.test.ts).
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { apiServerAvailable, ENGINE_TOOLS_HINT } from "../support/apiServer";
import {
    assertMirrorHoldsAll,
    comparable,
    expectedObjects,
    MIRROR_PASSWORD,
    MIRROR_USER,
    MIRRORED,
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

function requireTools(): void {
    assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
    assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
}

describe("engine: pluginConnector.mirrorImages between loopback registries, pulumi up / preview / up", () => {
    let world: MirrorWorld;
    let ws: EngineWorkspace;
    let firstUp: string;

    before(async () => {
        requireTools();
        world = await startMirrorWorld();
        ws = new EngineWorkspace({ project: "dify-plugin-registry", program: path.join(ROOT, "index.ts"), typescript: true });
        await ws.init({
            namespace: "dify",
            registry: { type: "docker", server: world.plugins.host, prefix: "dify/plugins", username: PLUGIN_USER },
            chart: { version: world.repo.version, repository: world.repo.url, defaultValuesFile: world.valuesFile },
            pushCheck: { caFile: world.plugins.caFile },
            kubernetes: { kubeconfig: world.api.kubeconfigPath },
            pluginConnector: {
                imageMirror: world.imageMirror,
                mirrorImages: {
                    registries: { [world.source.host]: { insecure: true }, [world.mirror.host]: { caFile: world.mirror.caFile } },
                },
            },
        });
        await ws.setSecret("registry.password", PLUGIN_PASSWORD);
        // As docs/mirror.md says to: the mirror's own login, docker config JSON, set --secret.
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

    it("the mirror holds every image under the source's digest (skopeo inspect with the mirror's CA and login)", async () => {
        await assertMirrorHoldsAll(world);
    });

    it("the cluster holds image-repo-secret and every helper image and python build base pinned by that digest, in the mirror", async () => {
        // aws-cli is moved to the mirror but neither copied nor pinned (only ECR pulls it); the plugin registry itself
        // is not the mirror.
        assert.deepEqual(comparable(await readBack(world)), expectedObjects(world));
    });

    it("the chart's Deployment mounts that ConfigMap and was rolled by it (checksum/config of the pinned block)", async () => {
        // The stand-in chart's Deployment carries the helper images only through the mounted ConfigMap (as Dify's
        // plugin connector reads them); its env holds the registry settings, not images.
        const deployments = JSON.parse(await world.api.kubectl(["-n", "dify", "get", "deployments", "-o", "json"])) as Json;
        const connector = deployments.items.find((d: Json) => d.metadata.name.endsWith("-plugin-connector"));
        assert.ok(connector, deployments.items.map((d: Json) => d.metadata.name).join(", "));
        assert.equal(connector.spec.template.spec.volumes[0].configMap.name, `${connector.metadata.name}-config`);
        assert.match(connector.spec.template.metadata.annotations["checksum/config"], /^[0-9a-f]{64}$/);
    });

    it("pulumi preview --expect-no-changes passes", async () => {
        await ws.ok(["preview", "--expect-no-changes"]);
    });

    it("a second pulumi up changes nothing", async () => {
        const second = await ws.ok(["up", "--yes", "--skip-preview"]);
        const summary = second.slice(second.indexOf("Resources:"));
        assert.match(summary, /\d+ unchanged/, second);
        assert.doesNotMatch(summary, /created|updated|replaced|deleted/, second);
        await assertMirrorHoldsAll(world);
    });

    it("the state records the copy and holds neither login in plain text", async () => {
        const state = JSON.parse(await ws.ok(["stack", "export"])) as Json;
        const resources = state.deployment.resources as Json[];
        const imageMirror = resources.find((r) => String(r.urn).endsWith("::dify-plugin-registry-image-mirror"));
        assert.ok(imageMirror, "the ImageMirror resource is in the state");
        assert.equal(imageMirror.outputs.lastRun.copied, MIRRORED.length, JSON.stringify(imageMirror.outputs.lastRun));
        const text = JSON.stringify(state);
        for (const [user, password] of [
            [MIRROR_USER, MIRROR_PASSWORD],
            [PLUGIN_USER, PLUGIN_PASSWORD],
        ]) {
            for (const needle of [password, Buffer.from(`${user}:${password}`).toString("base64")]) {
                assert.ok(!text.includes(needle), `the state holds ${needle}`);
            }
        }
        for (const needle of [MIRROR_PASSWORD, PLUGIN_PASSWORD]) assert.ok(!firstUp.includes(needle), "the up's output shows a password");
    });

    it("pulumi destroy removes the chart and leaves the images in the mirror", async () => {
        await ws.ok(["destroy", "--yes", "--skip-preview"]);
        assert.equal(
            await world.api
                .kubectl(["-n", "dify", "get", "deployments,configmaps", "--ignore-not-found", "-o", "name"])
                .then((o) => o.includes("plugin-connector")),
            false,
        );
        await assertMirrorHoldsAll(world);
    });
});
