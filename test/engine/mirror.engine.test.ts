// pluginConnector.mirrorImages through the real engine (issue 18, 2d): the stack program's `pulumi up` copies the chart
// version's helper images and python build bases from a loopback SOURCE registry (plain HTTP, anonymous) into a
// loopback MIRROR (TLS with its own CA, htpasswd, its own login given as a secret) and pins them by digest in
// plugin_connector; read back from the API server and from the mirror with skopeo. A second up changes nothing.
//
// No network but loopback: the images the chart version names (docker.io, gcr.io) cannot be fetched, so the version's
// defaults are given as chart.defaultValuesFile — the 3.9.1 plugin sections with every helper image and build base
// replaced by one in the source registry (test/support/chartValues.ts, unseenChartValues). The push check stays on
// (what users get), against a third registry: the plugin registry, TLS + htpasswd.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { apiServerAvailable, ENGINE_TOOLS_HINT, type RunningApiServer, startApiServer } from "../support/apiServer";
import { UNSEEN, unseenChartValues } from "../support/chartValues";
import { type ChartRepository, startChartRepository } from "../support/chartRepository";
import { EngineWorkspace, pulumiBinary } from "../support/pulumiEngine";
import { INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "../support/registry";
import { multiLayerImage, pushLayout, skopeoDigest, twoPlatformIndex, writeAuthFile } from "../support/testImages";

type Json = Record<string, any>;

const ROOT = path.resolve(__dirname, "..", "..");
const PLUGIN_USER = "dify-push";
const PLUGIN_PASSWORD = "engine-Sentinel-pw-5e1c";
const MIRROR_USER = "mirror-push";
const MIRROR_PASSWORD = "mirror-Sentinel-pw-93b2";
/** `pluginConnector.imageMirror` is `<mirror host>/<MIRROR_PREFIX>`. */
const MIRROR_PREFIX = "dify-mirror";

/** The images a docker-kind stack with the kaniko builder mirrors: no aws-cli (ECR only), no GitHub builder kaniko. */
const MIRRORED = [UNSEEN.gateway, UNSEEN.shader, UNSEEN.busyBox, ...Object.values(UNSEEN.python)];

/** The path of an upstream reference without its registry: `gcr.io/kaniko-project/executor:v1.24.0` → `kaniko-project/executor:v1.24.0`. */
const pathOf = (ref: string) => ref.replace(/^(docker\.io|gcr\.io)\//, "");

function requireTools(): void {
    assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
    assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
}

describe("engine: pluginConnector.mirrorImages between loopback registries, pulumi up / preview / up", () => {
    let api: RunningApiServer;
    let source: RunningRegistry;
    let mirror: RunningRegistry;
    let plugins: RunningRegistry;
    let repo: ChartRepository;
    let ws: EngineWorkspace;
    let mirrorAuthFile: string;
    /** Upstream reference (UNSEEN) → the digest of what was pushed for it into the source. */
    const sourceDigests = new Map<string, string>();
    /** Upstream reference → where the mirror holds it: `<mirror>/dify-mirror/<path>:<tag>`. */
    const inMirror = (ref: string) => `${mirror.host}/${MIRROR_PREFIX}/${pathOf(ref)}`;
    const pinned = (ref: string) => `${inMirror(ref)}@${sourceDigests.get(ref)}`;
    let firstUp: string;

    before(async () => {
        requireTools();
        [api, source, mirror, plugins, repo] = await Promise.all([
            startApiServer(),
            startRegistry(),
            startRegistry({ tls: true, auth: { username: MIRROR_USER, password: MIRROR_PASSWORD } }),
            startRegistry({ tls: true, auth: { username: PLUGIN_USER, password: PLUGIN_PASSWORD } }),
            startChartRepository(),
        ]);
        ws = new EngineWorkspace({ project: "dify-plugin-registry", program: path.join(ROOT, "index.ts"), typescript: true });

        // The source: one distinct image per reference (the gateway a two-platform index, copied byte for byte).
        const layouts = path.join(ws.dir, "layouts");
        for (const [i, ref] of MIRRORED.entries()) {
            const dir = path.join(layouts, String(i));
            const [repository, tag] = pathOf(ref).split(":");
            const digest =
                ref === UNSEEN.gateway
                    ? (await twoPlatformIndex(dir, tag, `mirror-engine-${i}`)).indexDigest
                    : await multiLayerImage(dir, tag, `mirror-engine-${i}`, [24_000, 8_000]);
            await pushLayout(dir, tag, source, repository);
            sourceDigests.set(ref, digest);
        }
        // This chart version's values, as `helm show values` would print them were its images in the source registry.
        const valuesFile = path.join(ws.dir, "values-3.9.1.yaml");
        fs.writeFileSync(
            valuesFile,
            unseenChartValues((ref) => `${source.host}/${pathOf(ref)}`),
        );
        mirrorAuthFile = writeAuthFile(ws.dir, mirror.host, MIRROR_USER, MIRROR_PASSWORD);

        await ws.init({
            namespace: "dify",
            registry: { type: "docker", server: plugins.host, prefix: "dify/plugins", username: PLUGIN_USER },
            chart: { version: repo.version, repository: repo.url, defaultValuesFile: valuesFile },
            pushCheck: { caFile: plugins.caFile },
            kubernetes: { kubeconfig: api.kubeconfigPath },
            pluginConnector: {
                imageMirror: `${mirror.host}/${MIRROR_PREFIX}`,
                mirrorImages: {
                    registries: { [source.host]: { insecure: true }, [mirror.host]: { caFile: mirror.caFile } },
                },
            },
        });
        await ws.setSecret("registry.password", PLUGIN_PASSWORD);
        // As docs/mirror.md says to: the mirror's own login, docker config JSON, set --secret.
        await ws.setSecret("pluginConnector.mirrorImages.auth", fs.readFileSync(mirrorAuthFile, "utf8"));
    });
    after(async () => {
        await Promise.all([api?.stop(), source?.stop(), mirror?.stop(), plugins?.stop(), repo?.stop()]);
        ws?.remove();
    });

    it("pulumi up succeeds", async () => {
        firstUp = await ws.ok(["up", "--yes", "--skip-preview"]);
        assert.match(firstUp, /Resources:/);
    });

    it("the mirror holds every image under the source's digest (skopeo inspect with the mirror's CA and login)", async () => {
        for (const ref of MIRRORED) {
            assert.equal(await skopeoDigest(inMirror(ref), mirror, mirrorAuthFile), sourceDigests.get(ref), inMirror(ref));
        }
    });

    it("the chart's ConfigMap holds every helper image and python build base pinned by that digest, in the mirror", async () => {
        const configMaps = JSON.parse(await api.kubectl(["-n", "dify", "get", "configmaps", "-o", "json"])) as Json;
        const config = configMaps.items.find((c: Json) => c.metadata.name.endsWith("-plugin-connector-config"));
        assert.ok(config, configMaps.items.map((c: Json) => c.metadata.name).join(", "));
        const connector = YAML.parse(config.data["plugin_connector.yaml"]) as Json;
        assert.deepEqual(
            { gateway: connector.gatewayImage, shader: connector.shaderImage, busyBox: connector.busyBoxImage },
            { gateway: pinned(UNSEEN.gateway), shader: pinned(UNSEEN.shader), busyBox: pinned(UNSEEN.busyBox) },
        );
        assert.deepEqual(YAML.parse(connector.generatorConf).generator.python.versions, {
            "python3.14": { langgenius: pinned(UNSEEN.python["3.14"]) },
            "python3.13": { langgenius: pinned(UNSEEN.python["3.13"]) },
            "python3.12": { langgenius: pinned(UNSEEN.python["3.12"]) },
        });
        // Moved to the mirror but neither copied nor pinned: aws-cli (only ECR pulls it).
        assert.equal(connector.awsCliImage, inMirror(UNSEEN.awsCli));
        // The plugin registry itself is not the mirror.
        assert.equal(connector.imageRepoPrefix, `${plugins.host}/dify/plugins`);
    });

    it("the chart's Deployment mounts that ConfigMap and was rolled by it (checksum/config of the pinned block)", async () => {
        // The stand-in chart's Deployment carries the helper images only through the mounted ConfigMap (as Dify's
        // plugin connector reads them); its env holds the registry settings, not images.
        const deployments = JSON.parse(await api.kubectl(["-n", "dify", "get", "deployments", "-o", "json"])) as Json;
        const connector = deployments.items.find((d: Json) => d.metadata.name.endsWith("-plugin-connector"));
        assert.ok(connector, deployments.items.map((d: Json) => d.metadata.name).join(", "));
        const pod = connector.spec.template.spec;
        assert.equal(pod.volumes[0].configMap.name, `${connector.metadata.name}-config`);
        const env = Object.fromEntries(pod.containers[0].env.map((e: Json) => [e.name, e.value]));
        assert.equal(env.IMAGE_REPO_PREFIX, `${plugins.host}/dify/plugins`);
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
        for (const ref of MIRRORED) {
            assert.equal(await skopeoDigest(inMirror(ref), mirror, mirrorAuthFile), sourceDigests.get(ref), inMirror(ref));
        }
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
            await api
                .kubectl(["-n", "dify", "get", "deployments,configmaps", "--ignore-not-found", "-o", "name"])
                .then((o) => o.includes("plugin-connector")),
            false,
        );
        assert.equal(await skopeoDigest(inMirror(UNSEEN.busyBox), mirror, mirrorAuthFile), sourceDigests.get(UNSEEN.busyBox));
    });
});
