// The project's stack program through the real Pulumi engine (test/support/pulumiEngine.ts) against a real Kubernetes
// API server (test/support/apiServer.ts), a real TLS + htpasswd registry for the push check, and the stand-in Dify
// chart from a loopback Helm repository (the real chart cannot be fetched here: test/engine/standin-chart/README.md).
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { apiServerAvailable, ENGINE_TOOLS_HINT, type RunningApiServer, startApiServer } from "../support/apiServer";
import { type ChartRepository, startChartRepository } from "../support/chartRepository";
import { EngineWorkspace, pulumiBinary } from "../support/pulumiEngine";
import { INSTALL_HINT, type RunningRegistry, registryAvailable, startRegistry } from "../support/registry";

const ROOT = path.resolve(__dirname, "..", "..");
const USER = "dify-push";
const PASSWORD = "engine-Sentinel-pw-5e1c";

type Json = Record<string, any>;

describe("engine: the stack program, pulumi up / preview / destroy against a real API server", () => {
    let api: RunningApiServer;
    let registry: RunningRegistry;
    let repo: ChartRepository;
    let ws: EngineWorkspace;

    before(async () => {
        assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
        assert.ok(registryAvailable(), `docker-registry missing; run: ${INSTALL_HINT}`);
        [api, registry, repo] = await Promise.all([
            startApiServer(),
            startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } }),
            startChartRepository(),
        ]);
        ws = new EngineWorkspace({ project: "dify-plugin-registry", program: path.join(ROOT, "index.ts"), typescript: true });
        await ws.init({
            namespace: "dify",
            registry: { type: "docker", server: registry.host, prefix: "dify/plugins", username: USER },
            chart: { version: repo.version, repository: repo.url },
            pushCheck: { caFile: registry.caFile },
            kubernetes: { kubeconfig: api.kubeconfig },
        });
        await ws.setSecret("registry.password", PASSWORD);
    });

    after(async () => {
        await Promise.all([api?.stop(), registry?.stop(), repo?.stop()]);
        ws?.remove();
    });

    it("pulumi up succeeds", async () => {
        const out = await ws.ok(["up", "--yes", "--skip-preview"]);
        assert.match(out, /Resources:/);
    });

    it("image-repo-secret reached the cluster: kubernetes.io/dockerconfigjson, both keys decode to the login", async () => {
        const secret = JSON.parse(await api.kubectl(["-n", "dify", "get", "secret", "image-repo-secret", "-o", "json"])) as Json;
        assert.equal(secret.type, "kubernetes.io/dockerconfigjson");
        const expected = { auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString("base64") } } };
        for (const key of [".dockerconfigjson", "config.json"]) {
            assert.deepEqual(JSON.parse(Buffer.from(secret.data[key], "base64").toString("utf8")), expected, key);
        }
    });

    it("the stand-in chart's objects carry the plugin_connector values the component wrote", async () => {
        const deployments = JSON.parse(await api.kubectl(["-n", "dify", "get", "deployments", "-o", "json"])) as Json;
        const connector = deployments.items.find((d: Json) => d.metadata.name.endsWith("-plugin-connector"));
        assert.ok(connector, deployments.items.map((d: Json) => d.metadata.name).join(", "));
        const pod = connector.spec.template.spec;
        assert.deepEqual(pod.imagePullSecrets, [{ name: "image-repo-secret" }]);
        const env = Object.fromEntries(pod.containers[0].env.map((e: Json) => [e.name, e.value]));
        assert.equal(env.IMAGE_REPO_PREFIX, `${registry.host}/dify/plugins`);
        assert.equal(env.IMAGE_REPO_TYPE, "docker");
        assert.equal(env.IMAGE_REPO_SECRET, "image-repo-secret");
        const configMaps = JSON.parse(await api.kubectl(["-n", "dify", "get", "configmaps", "-o", "json"])) as Json;
        const config = configMaps.items.find((c: Json) => c.metadata.name.endsWith("-plugin-connector-config"));
        assert.ok(config);
        assert.ok(config.data["plugin_connector.yaml"].includes(`imageRepoPrefix: ${registry.host}/dify/plugins`));
    });

    it("pulumi preview --expect-no-changes passes", async () => {
        await ws.ok(["preview", "--expect-no-changes"]);
    });

    it("pulumi stack export holds no credential in plain text", async () => {
        const state = await ws.ok(["stack", "export"]);
        for (const needle of [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString("base64"), Buffer.from(PASSWORD).toString("base64")]) {
            assert.ok(!state.includes(needle), `the state holds ${needle}`);
        }
        assert.ok(state.includes("image-repo-secret"), "the export is the stack's state");
    });

    it("pulumi destroy leaves nothing the stack created", async () => {
        await ws.ok(["destroy", "--yes", "--skip-preview"]);
        const left = await api.kubectl(["get", "namespace", "dify", "--ignore-not-found", "-o", "name"]);
        assert.ok(
            left.trim() === "" || /terminating/i.test(await api.kubectl(["get", "namespace", "dify", "-o", "jsonpath={.status.phase}"])),
        );
        const secrets = await api.kubectl([
            "-n",
            "dify",
            "get",
            "secrets,deployments,configmaps,serviceaccounts",
            "--ignore-not-found",
            "-o",
            "name",
        ]);
        assert.deepEqual(
            secrets.split("\n").filter((l) => l && !l.endsWith("/kube-root-ca.crt") && !l.endsWith("/default")),
            [],
        );
    });
});
