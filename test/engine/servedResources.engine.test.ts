// The package's provider serves the push check and the image mirror (issue 19, item 1) through the real engine: a
// program whose component is constructed BY THE PROVIDER (test/engine/servedProgram/index.js, a remote component as
// the generated SDKs make it), the provider found as other languages' programs find it — the launcher
// bin/pulumi-resource-dify-plugin-registry on PATH — with the push check on against a TLS + htpasswd registry and
// pluginConnector.mirrorImages copying from a plain-HTTP source into a TLS + htpasswd mirror, against a real API server.
// No resource may be a dynamic one (pulumi-nodejs:dynamic:Resource): the engine would start the dynamic-provider host
// in the program's directory, which a Python or YAML program's has no node_modules in (pulumi/pulumi#5455).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { apiServerAvailable, ENGINE_TOOLS_HINT, type RunningApiServer, startApiServer } from "../support/apiServer";
import { type ChartRepository, startChartRepository } from "../support/chartRepository";
import { UNSEEN, unseenChartValues } from "../support/chartValues";
import { EngineWorkspace, pulumiBinary } from "../support/pulumiEngine";
import { INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "../support/registry";
import { multiLayerImage, pushLayout, skopeoDigest, writeAuthFile } from "../support/testImages";

type Json = Record<string, any>;

const ROOT = path.resolve(__dirname, "..", "..");
const PLUGIN_USER = "dify-push";
const PLUGIN_PASSWORD = "served-Sentinel-pw-2f81";
const MIRROR_USER = "mirror-push";
const MIRROR_PASSWORD = "served-mirror-Sentinel-pw-c07d";
const COMPONENT = "dify-plugin-registry:index:PluginRegistry";
const PUSH_CHECK = "dify-plugin-registry:index:RegistryPushCheck";
const IMAGE_MIRROR = "dify-plugin-registry:index:ImageMirror";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The images a docker-kind stack with the kaniko builder mirrors (as test/engine/mirror.engine.test.ts). */
const MIRRORED = [UNSEEN.gateway, UNSEEN.shader, UNSEEN.busyBox, ...Object.values(UNSEEN.python)];
const pathOf = (ref: string) => ref.replace(/^(docker\.io|gcr\.io)\//, "");

/** A secret as `pulumi stack export` writes it: the envelope with ciphertext, never the value. */
function assertCiphertext(value: unknown, what: string): void {
    const v = value as Json;
    assert.equal(v?.[SECRET_SIG], "1b47061264138c4ac30d75fd1eb44270", `${what} is a secret: ${JSON.stringify(value)}`);
    assert.equal(typeof v.ciphertext, "string", `${what} is ciphertext`);
    assert.equal(v.plaintext, undefined, `${what} is not plaintext`);
}

describe("engine: the push check and the image mirror served by the package's provider (component constructed by the provider)", () => {
    let api: RunningApiServer;
    let source: RunningRegistry;
    let mirror: RunningRegistry;
    let plugins: RunningRegistry;
    let repo: ChartRepository;
    let ws: EngineWorkspace;
    let mirrorAuthFile: string;
    let firstUp: string;
    const sourceDigests = new Map<string, string>();
    const inMirror = (ref: string) => `${mirror.host}/dify-mirror/${pathOf(ref)}`;

    const exported = async (): Promise<Json[]> => JSON.parse(await ws.ok(["stack", "export"])).deployment.resources ?? [];
    const byUrnEnd = (resources: Json[], end: string): Json => {
        const found = resources.find((r) => String(r.urn).endsWith(end));
        assert.ok(found, `no resource ${end} in\n${resources.map((r) => r.urn).join("\n")}`);
        return found;
    };

    before(async () => {
        assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        [api, source, mirror, plugins, repo] = await Promise.all([
            startApiServer(),
            startRegistry(),
            startRegistry({ tls: true, auth: { username: MIRROR_USER, password: MIRROR_PASSWORD } }),
            startRegistry({ tls: true, auth: { username: PLUGIN_USER, password: PLUGIN_PASSWORD } }),
            startChartRepository(),
        ]);
        ws = new EngineWorkspace({
            project: "served-user",
            program: path.join(__dirname, "servedProgram", "index.js"),
            // The provider as the engine finds a plugin it has not installed: pulumi-resource-<name> on PATH.
            path: [path.join(ROOT, "bin")],
        });
        const layouts = path.join(ws.dir, "layouts");
        for (const [i, ref] of MIRRORED.entries()) {
            const dir = path.join(layouts, String(i));
            const [repository, tag] = pathOf(ref).split(":");
            sourceDigests.set(ref, await multiLayerImage(dir, tag, `served-${i}`, [16_000]));
            await pushLayout(dir, tag, source, repository);
        }
        const valuesFile = path.join(ws.dir, "values-3.9.1.yaml");
        fs.writeFileSync(
            valuesFile,
            unseenChartValues((ref) => `${source.host}/${pathOf(ref)}`),
        );
        mirrorAuthFile = writeAuthFile(ws.dir, mirror.host, MIRROR_USER, MIRROR_PASSWORD);
        await ws.init({
            "kubernetes:kubeconfig": api.kubeconfigPath,
            server: plugins.host,
            username: PLUGIN_USER,
            caFile: plugins.caFile,
            chartVersion: repo.version,
            chartRepository: repo.url,
            defaultValuesFile: valuesFile,
            sourceHost: source.host,
            mirrorHost: mirror.host,
            mirrorCaFile: mirror.caFile,
        });
        await ws.setSecret("password", PLUGIN_PASSWORD);
        await ws.setSecret("mirrorAuth", fs.readFileSync(mirrorAuthFile, "utf8"));
    });
    after(async () => {
        await Promise.all([api?.stop(), source?.stop(), mirror?.stop(), plugins?.stop(), repo?.stop()]);
        ws?.remove();
    });

    it("pulumi up succeeds: the component is the provider's, the chart is in the cluster", async () => {
        firstUp = await ws.ok(["up", "--yes", "--skip-preview"]);
        const resources = await exported();
        assert.equal(byUrnEnd(resources, "::dify").type, COMPONENT);
        const configMaps = JSON.parse(await api.kubectl(["-n", "dify", "get", "configmaps", "-o", "json"])) as Json;
        const config = configMaps.items.find((c: Json) => c.metadata.name.endsWith("-plugin-connector-config"));
        assert.ok(config, configMaps.items.map((c: Json) => c.metadata.name).join(", "));
        const connector = YAML.parse(config.data["plugin_connector.yaml"]) as Json;
        // Pinned by the digest the served mirror recorded.
        assert.equal(connector.busyBoxImage, `${inMirror(UNSEEN.busyBox)}@${sourceDigests.get(UNSEEN.busyBox)}`);
        assert.equal(connector.imageRepoPrefix, `${plugins.host}/dify/plugins`);
    });

    it("no resource is a dynamic one; the push check and the mirror are the package's, children of the component, run by its provider", async () => {
        const resources = await exported();
        const dynamic = resources.filter(
            (r) => r.type === "pulumi-nodejs:dynamic:Resource" || String(r.type).startsWith("pulumi:providers:pulumi-nodejs"),
        );
        assert.deepEqual(
            dynamic.map((r) => r.urn),
            [],
        );
        const component = byUrnEnd(resources, "::dify");
        const check = byUrnEnd(resources, "::dify-push-check");
        const imageMirror = byUrnEnd(resources, "::dify-image-mirror");
        assert.equal(check.type, PUSH_CHECK);
        assert.equal(imageMirror.type, IMAGE_MIRROR);
        for (const r of [check, imageMirror]) {
            assert.equal(r.parent, component.urn, r.urn);
            assert.equal(r.custom, true, r.urn);
            assert.match(r.provider, /::pulumi:providers:dify-plugin-registry::/, r.urn);
        }
        assert.ok(check.outputs.steps.length > 0, JSON.stringify(check.outputs));
        assert.equal(imageMirror.outputs.lastRun.copied, MIRRORED.length, JSON.stringify(imageMirror.outputs.lastRun));
    });

    it("the secrets are ciphertext in the export: the check's login hash and salt, the logins given; no password anywhere", async () => {
        const text = await ws.ok(["stack", "export"]);
        const resources = JSON.parse(text).deployment.resources as Json[];
        const check = byUrnEnd(resources, "::dify-push-check");
        const imageMirror = byUrnEnd(resources, "::dify-image-mirror");
        assertCiphertext(check.outputs.loginHash, "push check outputs.loginHash");
        assertCiphertext(check.outputs.salt, "push check outputs.salt");
        assertCiphertext(check.inputs.auth, "push check inputs.auth");
        assertCiphertext(imageMirror.inputs.auth, "image mirror inputs.auth");
        assert.equal(imageMirror.outputs.auth, undefined, "the mirror's outputs hold no login");
        for (const [user, password] of [
            [PLUGIN_USER, PLUGIN_PASSWORD],
            [MIRROR_USER, MIRROR_PASSWORD],
        ]) {
            for (const needle of [password, Buffer.from(`${user}:${password}`).toString("base64")]) {
                assert.ok(!text.includes(needle), `the export holds ${needle}`);
                assert.ok(!firstUp.includes(needle), `the up's output holds ${needle}`);
            }
        }
    });

    it("the mirror holds every image under the source's digest", async () => {
        for (const ref of MIRRORED) {
            assert.equal(await skopeoDigest(inMirror(ref), mirror, mirrorAuthFile), sourceDigests.get(ref), inMirror(ref));
        }
    });

    it("pulumi preview --expect-no-changes passes (the served Diff reads the secret state)", async () => {
        await ws.ok(["preview", "--expect-no-changes"]);
    });

    it("pulumi destroy removes everything, the served resources included", async () => {
        await ws.ok(["destroy", "--yes", "--skip-preview"]);
        const left = await exported();
        assert.deepEqual(
            left.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.urn),
            [],
        );
        const deployments = await api.kubectl(["-n", "dify", "get", "deployments", "--ignore-not-found", "-o", "name"]);
        assert.ok(!deployments.includes("plugin-connector"), deployments);
    });
});
