// The project's stack program through the real Pulumi engine (test/support/pulumiEngine.ts) against a real Kubernetes
// API server (test/support/apiServer.ts), a real TLS + htpasswd registry for the push check, and the stand-in Dify
// chart from a loopback Helm repository (the real chart cannot be fetched here: test/engine/standin-chart/README.md).
import * as assert from "node:assert/strict";
import { apiServerAvailable, ENGINE_TOOLS_HINT } from "../support/apiServer";
import { ENGINE_PASSWORD, ENGINE_USER, type EngineStack, startEngineStack } from "../support/engineStack";
import { pulumiBinary } from "../support/pulumiEngine";
import { INSTALL_HINT, registryAvailable } from "../support/registry";

type Json = Record<string, any>;

function requireTools(): void {
    assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
    assert.ok(registryAvailable(), `docker-registry missing; run: ${INSTALL_HINT}`);
}

/** Names of the objects of `kinds` in the namespace, without what Kubernetes makes by itself. */
async function objectsIn(world: EngineStack, kinds: string): Promise<string[]> {
    const out = await world.api.kubectl(["-n", "dify", "get", kinds, "--ignore-not-found", "-o", "name"]);
    return out.split("\n").filter((l) => l && !l.endsWith("/kube-root-ca.crt") && !l.endsWith("serviceaccount/default"));
}

describe("engine: the stack program, pulumi up / preview / destroy against a real API server", () => {
    let world: EngineStack;

    before(async () => {
        requireTools();
        world = await startEngineStack({
            pluginConnector: { serviceAccounts: { build: "dify-plugin-build", runner: "dify-plugin-runner" } },
        });
    });
    after(() => world?.stop());

    it("pulumi up succeeds", async () => {
        assert.match(await world.ws.ok(["up", "--yes", "--skip-preview"]), /Resources:/);
    });

    it("image-repo-secret reached the cluster: kubernetes.io/dockerconfigjson, both keys decode to the login", async () => {
        const secret = JSON.parse(await world.api.kubectl(["-n", "dify", "get", "secret", "image-repo-secret", "-o", "json"])) as Json;
        assert.equal(secret.type, "kubernetes.io/dockerconfigjson");
        const expected = {
            auths: { [world.registry.host]: { auth: Buffer.from(`${ENGINE_USER}:${ENGINE_PASSWORD}`).toString("base64") } },
        };
        for (const key of [".dockerconfigjson", "config.json"]) {
            assert.deepEqual(JSON.parse(Buffer.from(secret.data[key], "base64").toString("utf8")), expected, key);
        }
    });

    it("the stand-in chart's objects carry the plugin_connector values the component wrote", async () => {
        const deployments = JSON.parse(await world.api.kubectl(["-n", "dify", "get", "deployments", "-o", "json"])) as Json;
        const connector = deployments.items.find((d: Json) => d.metadata.name.endsWith("-plugin-connector"));
        assert.ok(connector, deployments.items.map((d: Json) => d.metadata.name).join(", "));
        const pod = connector.spec.template.spec;
        assert.deepEqual(pod.imagePullSecrets, [{ name: "image-repo-secret" }]);
        assert.equal(pod.serviceAccountName, "dify-plugin-build");
        const env = Object.fromEntries(pod.containers[0].env.map((e: Json) => [e.name, e.value]));
        assert.deepEqual(
            { prefix: env.IMAGE_REPO_PREFIX, type: env.IMAGE_REPO_TYPE, secret: env.IMAGE_REPO_SECRET, runner: env.RUNNER_SERVICE_ACCOUNT },
            { prefix: `${world.registry.host}/dify/plugins`, type: "docker", secret: "image-repo-secret", runner: "dify-plugin-runner" },
        );
        const configMaps = JSON.parse(await world.api.kubectl(["-n", "dify", "get", "configmaps", "-o", "json"])) as Json;
        const config = configMaps.items.find((c: Json) => c.metadata.name.endsWith("-plugin-connector-config"));
        assert.match(
            config.data["plugin_connector.yaml"],
            new RegExp(`imageRepoPrefix: ${world.registry.host.replace(/\./g, "\\.")}/dify/plugins`),
        );
    });

    it("pulumi preview --expect-no-changes passes", async () => {
        await world.ws.ok(["preview", "--expect-no-changes"]);
    });

    it("pulumi stack export holds no credential in plain text", async () => {
        const state = await world.ws.ok(["stack", "export"]);
        assert.ok(state.includes("image-repo-secret"), "the export is the stack's state");
        for (const needle of [ENGINE_PASSWORD, Buffer.from(`${ENGINE_USER}:${ENGINE_PASSWORD}`).toString("base64")]) {
            assert.ok(!state.includes(needle), `the state holds ${needle}`);
        }
    });

    it("the pull-request view: a new prefix changes the push check and the chart's objects, nothing else", async () => {
        // What .github/workflows/preview.yml posts. The Secret does not change: its login is keyed by the registry host,
        // and the prefix is a path on it. pulumi-kubernetes replaces a ConfigMap whose data changes (its default).
        await world.ws.ok(["config", "set", "--path", "registry.prefix", "dify/plugins-next"]);
        const preview = JSON.parse(await world.ws.ok(["preview", "--diff", "--json"])) as Json;
        const changed = (preview.steps as Json[])
            .filter((s) => s.op !== "same")
            .map((s) => `${s.op} ${String(s.urn).split("::").slice(2).join("::")}`)
            .sort();
        assert.deepEqual(changed, [
            "replace dify:index:PluginRegistry$kubernetes:helm.sh/v4:Chart$kubernetes:core/v1:ConfigMap::dify-plugin-registry-dify:dify/dify-plugin-connector-config",
            "update dify:index:PluginRegistry$kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:Deployment::dify-plugin-registry-dify:dify/dify-plugin-connector",
            "update dify:index:PluginRegistry$pulumi-nodejs:dynamic:Resource::dify-plugin-registry-push-check",
        ]);
        const deployment = (preview.steps as Json[]).find((s) => String(s.urn).endsWith("dify/dify-plugin-connector"));
        assert.equal(deployment?.newState.inputs.spec.template.spec.containers[0].env[0].value, `${world.registry.host}/dify/plugins-next`);
        assert.ok(!JSON.stringify(preview).includes(ENGINE_PASSWORD), "the preview shows no password");
        await world.ws.ok(["config", "set", "--path", "registry.prefix", "dify/plugins"]);
    });

    it("pulumi destroy leaves nothing the stack created", async () => {
        await world.ws.ok(["destroy", "--yes", "--skip-preview"]);
        assert.deepEqual(await objectsIn(world, "secrets,deployments,configmaps,serviceaccounts"), []);
        const phase = await world.api.kubectl(["get", "namespace", "dify", "--ignore-not-found", "-o", "jsonpath={.status.phase}"]);
        assert.ok(phase === "" || phase === "Terminating", `namespace dify is ${phase}`);
    });
});

describe("engine: a wrong registry password", () => {
    let world: EngineStack;

    before(async () => {
        requireTools();
        world = await startEngineStack({}, "wrong-Sentinel-pw");
    });
    after(() => world?.stop());

    it("pulumi up fails at the push check naming the prefix; the chart is not deployed", async () => {
        const result = await world.ws.pulumi(["up", "--yes", "--skip-preview"]);
        assert.notEqual(result.code, 0);
        const out = result.stdout + result.stderr;
        assert.match(
            out,
            new RegExp(`registry push check of ${world.registry.host.replace(/\./g, "\\.")}/dify/plugins failed at step "login"`),
        );
        assert.ok(!out.includes("wrong-Sentinel-pw"), "the output shows no password");
        assert.deepEqual(await objectsIn(world, "deployments,configmaps"), []);
    });

    it("after the password is fixed, pulumi up completes and the chart is deployed", async () => {
        await world.ws.setSecret("registry.password", ENGINE_PASSWORD);
        await world.ws.ok(["up", "--yes", "--skip-preview"]);
        assert.deepEqual(await objectsIn(world, "deployments"), ["deployment.apps/dify-plugin-connector"]);
        await world.ws.ok(["destroy", "--yes", "--skip-preview"]);
    });
});
