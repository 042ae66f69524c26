/**
 * The world of a restricted-network install, as `test/engine/mirror.engine.test.ts` builds it for the stack program and
 * the other languages' engine tests build it for theirs: its own API server, a SOURCE registry (plain HTTP, anonymous)
 * holding one distinct image per helper image and python build base the chart version names, a MIRROR (TLS with its
 * own CA, htpasswd, its own login), the PLUGIN registry (TLS + htpasswd, push-checked) and the stand-in chart's Helm
 * repository; the chart version's values as `helm show values` would print them were its images in the source.
 * `readBack` returns what reached the cluster and the mirror, parsed, to compare with what the stack program (TypeScript)
 * puts there for the same settings: `expected`.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { type RunningApiServer, startApiServer } from "./apiServer";
import { type ChartRepository, startChartRepository } from "./chartRepository";
import { UNSEEN, unseenChartValues } from "./chartValues";
import { type RunningRegistry, startRegistry } from "./registry";
import { multiLayerImage, pushLayout, skopeoDigest, twoPlatformIndex, writeAuthFile } from "./testImages";

type Json = Record<string, any>;

export const PLUGIN_USER = "dify-push";
export const PLUGIN_PASSWORD = "engine-Sentinel-pw-5e1c";
export const MIRROR_USER = "mirror-push";
export const MIRROR_PASSWORD = "mirror-Sentinel-pw-93b2";
/** `pluginConnector.imageMirror` is `<mirror host>/<MIRROR_PREFIX>`. */
export const MIRROR_PREFIX = "dify-mirror";
/** The images a docker-kind install with the kaniko builder mirrors: no aws-cli (ECR only), no GitHub builder kaniko. */
export const MIRRORED = [UNSEEN.gateway, UNSEEN.shader, UNSEEN.busyBox, ...Object.values(UNSEEN.python)];

/** The path of an upstream reference without its registry: `gcr.io/kaniko-project/executor:v1.24.0` → `kaniko-project/executor:v1.24.0`. */
const pathOf = (ref: string) => ref.replace(/^(docker\.io|gcr\.io)\//, "");

export interface MirrorWorld {
    readonly api: RunningApiServer;
    readonly source: RunningRegistry;
    readonly mirror: RunningRegistry;
    readonly plugins: RunningRegistry;
    readonly repo: ChartRepository;
    /** A scratch directory (values file, auth file), removed by `stop`. */
    readonly dir: string;
    /** The chart version's values (`chart.defaultValues`), the images in the source. */
    readonly valuesFile: string;
    /** The mirror's login, docker config JSON. */
    readonly mirrorAuth: string;
    /** `<mirror host>/dify-mirror`. */
    readonly imageMirror: string;
    /** Where the mirror holds an upstream reference: `<mirror>/dify-mirror/<path>:<tag>`. */
    inMirror(ref: string): string;
    /** That, pinned by the digest of what the source holds. */
    pinned(ref: string): string;
    /** The digest of what was pushed into the source for an upstream reference. */
    sourceDigest(ref: string): string;
    stop(): Promise<void>;
}

export async function startMirrorWorld(): Promise<MirrorWorld> {
    const [api, source, mirror, plugins, repo] = await Promise.all([
        startApiServer(),
        startRegistry(),
        startRegistry({ tls: true, auth: { username: MIRROR_USER, password: MIRROR_PASSWORD } }),
        startRegistry({ tls: true, auth: { username: PLUGIN_USER, password: PLUGIN_PASSWORD } }),
        startChartRepository(),
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-mirror-world-"));
    const digests = new Map<string, string>();
    for (const [i, ref] of MIRRORED.entries()) {
        const layout = path.join(dir, "layouts", String(i));
        const [repository, tag] = pathOf(ref).split(":");
        const digest =
            ref === UNSEEN.gateway
                ? (await twoPlatformIndex(layout, tag, `mirror-world-${i}`)).indexDigest
                : await multiLayerImage(layout, tag, `mirror-world-${i}`, [24_000, 8_000]);
        await pushLayout(layout, tag, source, repository);
        digests.set(ref, digest);
    }
    const valuesFile = path.join(dir, "values-3.9.1.yaml");
    fs.writeFileSync(
        valuesFile,
        unseenChartValues((ref) => `${source.host}/${pathOf(ref)}`),
    );
    const mirrorAuth = fs.readFileSync(writeAuthFile(dir, mirror.host, MIRROR_USER, MIRROR_PASSWORD), "utf8");
    const inMirror = (ref: string) => `${mirror.host}/${MIRROR_PREFIX}/${pathOf(ref)}`;
    const sourceDigest = (ref: string) => {
        const digest = digests.get(ref);
        assert.ok(digest, ref);
        return digest;
    };
    return {
        api,
        source,
        mirror,
        plugins,
        repo,
        dir,
        valuesFile,
        mirrorAuth,
        imageMirror: `${mirror.host}/${MIRROR_PREFIX}`,
        inMirror,
        pinned: (ref) => `${inMirror(ref)}@${sourceDigest(ref)}`,
        sourceDigest,
        stop: async () => {
            await Promise.all([api.stop(), source.stop(), mirror.stop(), plugins.stop(), repo.stop()]);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** What reached the cluster, parsed: `image-repo-secret` (type, both keys decoded) and the chart's objects. */
export interface ClusterObjects {
    readonly secret: { readonly type: string; readonly dockerconfigjson: unknown; readonly configJson: unknown };
    /** `plugin_connector.yaml` of the chart's ConfigMap, parsed, with `generatorConf` parsed too. */
    readonly pluginConnector: Json;
    /** The plugin connector Deployment's settings the chart takes from plugin_connector. */
    readonly deployment: { readonly imagePullSecrets: unknown; readonly env: Record<string, string> };
}

export async function readBack(world: MirrorWorld, namespace = "dify"): Promise<ClusterObjects> {
    const secret = JSON.parse(await world.api.kubectl(["-n", namespace, "get", "secret", "image-repo-secret", "-o", "json"])) as Json;
    const decode = (key: string) => JSON.parse(Buffer.from(secret.data[key], "base64").toString("utf8"));
    const configMaps = JSON.parse(await world.api.kubectl(["-n", namespace, "get", "configmaps", "-o", "json"])) as Json;
    const config = configMaps.items.find((c: Json) => c.metadata.name.endsWith("-plugin-connector-config"));
    assert.ok(config, configMaps.items.map((c: Json) => c.metadata.name).join(", "));
    const connector = YAML.parse(config.data["plugin_connector.yaml"]) as Json;
    const deployments = JSON.parse(await world.api.kubectl(["-n", namespace, "get", "deployments", "-o", "json"])) as Json;
    const deployment = deployments.items.find((d: Json) => d.metadata.name.endsWith("-plugin-connector"));
    assert.ok(deployment, deployments.items.map((d: Json) => d.metadata.name).join(", "));
    const pod = deployment.spec.template.spec;
    return {
        secret: { type: secret.type, dockerconfigjson: decode(".dockerconfigjson"), configJson: decode("config.json") },
        pluginConnector: { ...connector, generatorConf: YAML.parse(connector.generatorConf) },
        deployment: {
            imagePullSecrets: pod.imagePullSecrets,
            env: Object.fromEntries(pod.containers[0].env.map((e: Json) => [e.name, e.value])),
        },
    };
}

/**
 * The objects the stack program (TypeScript) puts into the cluster for a docker registry at the plugin registry with
 * `imageMirror` + `mirrorImages` (what `test/engine/mirror.engine.test.ts` reads back from it): the login under the
 * registry host in both keys; every helper image and build base in the mirror, pinned by the source's digest; aws-cli
 * moved but not pinned (only ECR pulls it).
 */
export function expectedObjects(world: MirrorWorld): {
    readonly secret: ClusterObjects["secret"];
    readonly pluginConnector: Json;
    readonly env: Record<string, string>;
} {
    const login = { auths: { [world.plugins.host]: { auth: Buffer.from(`${PLUGIN_USER}:${PLUGIN_PASSWORD}`).toString("base64") } } };
    return {
        secret: { type: "kubernetes.io/dockerconfigjson", dockerconfigjson: login, configJson: login },
        pluginConnector: {
            imageRepoPrefix: `${world.plugins.host}/dify/plugins`,
            imageRepoType: "docker",
            imageRepoSecret: "image-repo-secret",
            gatewayImage: world.pinned(UNSEEN.gateway),
            shaderImage: world.pinned(UNSEEN.shader),
            busyBoxImage: world.pinned(UNSEEN.busyBox),
            awsCliImage: world.inMirror(UNSEEN.awsCli),
            pythonVersions: {
                "python3.14": { langgenius: world.pinned(UNSEEN.python["3.14"]) },
                "python3.13": { langgenius: world.pinned(UNSEEN.python["3.13"]) },
                "python3.12": { langgenius: world.pinned(UNSEEN.python["3.12"]) },
            },
        },
        env: { IMAGE_REPO_PREFIX: `${world.plugins.host}/dify/plugins`, IMAGE_REPO_TYPE: "docker", IMAGE_REPO_SECRET: "image-repo-secret" },
    };
}

/** The parts of a read-back `expectedObjects` states, in its shape. */
export function comparable(objects: ClusterObjects): ReturnType<typeof expectedObjects> {
    const c = objects.pluginConnector;
    return {
        secret: objects.secret,
        pluginConnector: {
            imageRepoPrefix: c.imageRepoPrefix,
            imageRepoType: c.imageRepoType,
            imageRepoSecret: c.imageRepoSecret,
            gatewayImage: c.gatewayImage,
            shaderImage: c.shaderImage,
            busyBoxImage: c.busyBoxImage,
            awsCliImage: c.awsCliImage,
            pythonVersions: c.generatorConf.generator.python.versions,
        },
        env: {
            IMAGE_REPO_PREFIX: objects.deployment.env.IMAGE_REPO_PREFIX,
            IMAGE_REPO_TYPE: objects.deployment.env.IMAGE_REPO_TYPE,
            IMAGE_REPO_SECRET: objects.deployment.env.IMAGE_REPO_SECRET,
        },
    };
}

/** The mirror holds every mirrored image under the source's digest (skopeo, with the mirror's CA and login). */
export async function assertMirrorHoldsAll(world: MirrorWorld): Promise<void> {
    const authFile = path.join(world.dir, "mirror-auth.json");
    fs.writeFileSync(authFile, world.mirrorAuth);
    for (const ref of MIRRORED) {
        assert.equal(await skopeoDigest(world.inMirror(ref), world.mirror, authFile), world.sourceDigest(ref), world.inMirror(ref));
    }
}

/** The resource of a `pulumi stack export` whose URN ends in `::<name>`. */
export function byName(resources: readonly Json[], name: string): Json {
    const found = resources.find((r) => String(r.urn).endsWith(`::${name}`));
    assert.ok(found, `no resource named ${name}: ${resources.map((r) => r.urn).join("\n")}`);
    return found;
}

/**
 * A program in another language cannot run a dynamic resource (the engine starts the dynamic-provider host in the
 * program's folder, which has no node_modules: pulumi/pulumi#5455): none may be in its stack.
 */
export function assertNoDynamicResources(resources: readonly Json[]): void {
    assert.deepEqual(
        resources
            .filter((r) => r.type === "pulumi-nodejs:dynamic:Resource" || String(r.type).startsWith("pulumi:providers:pulumi-nodejs"))
            .map((r) => r.urn),
        [],
    );
}
