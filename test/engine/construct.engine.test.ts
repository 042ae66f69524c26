// Construct through the real engine (issue 19, item 3): a program that reaches the component only through the
// package's provider (test/engine/remoteProgram/index.js, a remote component as the generated SDKs make it; the
// provider started from bin/pulumi-resource-dify-plugin-registry on PATH) against a real API server. What the program
// gave with its inputs and options must reach the component's children, as read from `pulumi stack export`: the Secret depends on the resource its password came from, the component's dependsOn,
// protect, explicit Kubernetes provider and aliases reach every child, and a secret chart block is kept secret.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { apiServerAvailable, ENGINE_TOOLS_HINT, engineToolsBinDir, type RunningApiServer, startApiServer } from "../support/apiServer";
import { type ChartRepository, startChartRepository } from "../support/chartRepository";
import {
    generateSdk,
    installPythonSdk,
    languageToolsAvailable,
    pluginBinDir,
    pythonVenv,
    SDKGEN_HINT,
    servedSchema,
} from "../support/languageSdks";
import { EngineWorkspace, pulumiBinary } from "../support/pulumiEngine";

type Json = Record<string, any>;

const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = "remote-user";
const PASSWORD = "construct-Sentinel-pw-77a1";
const CHART_SECRET = "chart-Sentinel-key-3c9e";
const COMPONENT_TYPE = "dify-plugin-registry:index:PluginRegistry";

describe("engine: Construct keeps the program's dependencies and options (the component through its provider)", () => {
    let api: RunningApiServer;
    let repo: ChartRepository;
    let ws: EngineWorkspace;
    let env: Record<string, string>;

    const pulumi = (args: readonly string[]) => ws.pulumi(args, { env });
    const ok = (args: readonly string[]) => ws.ok(args, { env });
    const exported = async (): Promise<Json[]> => JSON.parse(await ok(["stack", "export"])).deployment.resources;
    /** The resource of `type` named `name` (a URN's last part). */
    const find = (resources: Json[], type: string, name: string): Json => {
        const found = resources.find((r) => r.type === type && r.urn.split("::").pop() === name);
        assert.ok(found, `no ${type} ${name} in ${resources.map((r) => r.urn).join("\n")}`);
        return found;
    };
    /** Every resource under the component (children and theirs), the component's URN ending in `::<name>`. */
    const under = (resources: Json[], name: string): Json[] => {
        const component = find(resources, COMPONENT_TYPE, name);
        const urns = new Set([component.urn]);
        const found: Json[] = [];
        for (let grew = true; grew; ) {
            grew = false;
            for (const r of resources) {
                if (r.parent && urns.has(r.parent) && !urns.has(r.urn)) {
                    urns.add(r.urn);
                    found.push(r);
                    grew = true;
                }
            }
        }
        return found;
    };

    before(async () => {
        assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
        [api, repo] = await Promise.all([startApiServer(), startChartRepository()]);
        ws = new EngineWorkspace({ project: PROJECT, program: path.join(__dirname, "remoteProgram", "index.js") });
        // The provider's launcher on PATH: the engine starts `pulumi-resource-dify-plugin-registry` (an ambient plugin).
        env = { PATH: [path.join(ROOT, "bin"), path.dirname(pulumiBinary()!), engineToolsBinDir(), process.env.PATH].join(path.delimiter) };
        await ws.init({
            kubeconfig: api.kubeconfigPath,
            server: "harbor.example.com",
            username: "robot$dify",
            chartVersion: repo.version,
            chartRepository: repo.url,
        });
        await ws.setSecret("password", PASSWORD);
    });
    after(async () => {
        await Promise.all([api?.stop(), repo?.stop()]);
        ws?.remove();
    });

    it("pulumi up: the component is constructed by the provider, its children are in the cluster", async () => {
        await ok(["up", "--yes", "--skip-preview"]);
        const resources = await exported();
        // The engine started the package's provider, and the children are the component's, registered by it.
        find(resources, "pulumi:providers:dify-plugin-registry", "default");
        const component = find(resources, COMPONENT_TYPE, "dify");
        assert.equal(find(resources, "kubernetes:core/v1:Secret", "dify-image-repo-secret").parent, component.urn);
        const secret = JSON.parse(await api.kubectl(["-n", "dify", "get", "secret", "image-repo-secret", "-o", "json"]));
        const auth = JSON.parse(Buffer.from(secret.data[".dockerconfigjson"], "base64").toString("utf8"));
        assert.deepEqual(auth, {
            auths: { "harbor.example.com": { auth: Buffer.from(`robot$dify:${PASSWORD}`).toString("base64") } },
        });
    });

    it("the Secret depends on the resource its password came from, in dependencies and data's propertyDependencies", async () => {
        const resources = await exported();
        const login = find(resources, "kubernetes:core/v1:ConfigMap", "login");
        const secret = find(resources, "kubernetes:core/v1:Secret", "dify-image-repo-secret");
        assert.ok(secret.dependencies?.includes(login.urn), JSON.stringify(secret.dependencies));
        assert.ok(secret.propertyDependencies?.data?.includes(login.urn), JSON.stringify(secret.propertyDependencies));
    });

    it("the component's dependsOn reaches every resource it creates", async () => {
        const resources = await exported();
        const gate = find(resources, "kubernetes:core/v1:ConfigMap", "gate");
        const mine = under(resources, "dify").filter((r) => r.parent === find(resources, COMPONENT_TYPE, "dify").urn);
        assert.deepEqual(mine.map((r) => r.type).sort(), [
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:Secret",
            "kubernetes:helm.sh/v3:Release",
        ]);
        for (const child of mine) {
            assert.ok(child.dependencies?.includes(gate.urn), `${child.urn}: ${JSON.stringify(child.dependencies)}`);
        }
    });

    it("the explicit Kubernetes provider is the provider of every custom resource under the component", async () => {
        const resources = await exported();
        const provider = find(resources, "pulumi:providers:kubernetes", "cluster");
        const custom = under(resources, "dify").filter((r) => r.custom);
        assert.deepEqual(custom.map((r) => r.type).sort(), [
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:Secret",
            "kubernetes:helm.sh/v3:Release",
        ]);
        for (const r of custom) {
            assert.equal(r.provider, `${provider.urn}::${provider.id}`, r.urn);
        }
    });

    it("pulumi preview --expect-no-changes passes", async () => {
        await ok(["preview", "--expect-no-changes"]);
    });

    it("a secret chart block: chart.values registered as one secret, in no export or output; the value reached the cluster", async () => {
        await ok(["config", "set", "secretChart", "true"]);
        await ok(["config", "set", "gcInterval", CHART_SECRET]);
        const up = await ok(["up", "--yes", "--skip-preview"]);
        const state = await ok(["stack", "export"]);
        const release = find(JSON.parse(state).deployment.resources, "kubernetes:helm.sh/v3:Release", "dify-dify");
        assert.equal(release.inputs.values["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "values are secret");
        assert.ok(!state.includes(CHART_SECRET), "the export holds the chart's secret value");
        assert.ok(!up.includes(CHART_SECRET), "the up's output holds the chart's secret value");
        const configMap = await api.kubectl(["-n", "dify", "get", "configmap", "dify-plugin-connector-config", "-o", "json"]);
        assert.match(JSON.parse(configMap).data["plugin_connector.yaml"], new RegExp(`gcInterval: ${CHART_SECRET}`));
        const diff = await ok(["preview", "--diff", "--expect-no-changes"]);
        assert.ok(!diff.includes(CHART_SECRET), "preview --diff shows the chart's secret value");
    });

    it("protect reaches every resource under the component: destroy is refused", async () => {
        await ok(["config", "set", "protect", "true"]);
        await ok(["up", "--yes", "--skip-preview"]);
        for (const r of under(await exported(), "dify")) {
            assert.equal(r.protect, true, r.urn);
        }
        const destroy = await pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.notEqual(destroy.code, 0);
        assert.match(destroy.stdout + destroy.stderr, /protected/);
        assert.match(await api.kubectl(["-n", "dify", "get", "secret", "image-repo-secret", "-o", "name"]), /image-repo-secret/);
        await ok(["config", "set", "protect", "false"]);
        await ok(["up", "--yes", "--skip-preview"]);
        for (const r of under(await exported(), "dify")) {
            assert.ok(!r.protect, r.urn);
        }
    });

    it("a rename with an alias keeps every object: no create, delete or replace, the Secret is the same object", async () => {
        const uid = async () =>
            JSON.parse(await api.kubectl(["-n", "dify", "get", "secret", "image-repo-secret", "-o", "json"])).metadata.uid;
        const before = await uid();
        await ok(["config", "set", "name", "renamed"]);
        await ok(["config", "set", "--path", "aliases[0]", "dify"]);
        const preview = JSON.parse(await ok(["preview", "--json"]));
        const changed = (preview.steps as Json[]).filter((s) => s.op !== "same");
        assert.deepEqual(
            changed.map((s) => `${s.op} ${s.urn}`),
            [],
        );
        await ok(["up", "--yes", "--skip-preview"]);
        const resources = await exported();
        find(resources, "kubernetes:core/v1:Secret", "renamed-image-repo-secret");
        assert.ok(!resources.some((r) => r.urn.endsWith("::dify")), "the old URN is gone");
        assert.equal(await uid(), before);
    });

    it("pulumi destroy removes what the component created", async () => {
        await ok(["destroy", "--yes", "--skip-preview"]);
        assert.equal(await api.kubectl(["-n", "dify", "get", "secret,deployments", "--ignore-not-found", "-o", "name"]), "");
    });
});

describe("engine: a Python program's secret chart values through Construct (the generated SDK)", () => {
    let api: RunningApiServer;
    let repo: ChartRepository;
    let ws: EngineWorkspace;
    let dir: string;

    before(async () => {
        assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
        assert.ok(languageToolsAvailable(), `a language host, the SDK generator or the virtualenv is missing; ${SDKGEN_HINT}`);
        [api, repo] = await Promise.all([startApiServer(), startChartRepository()]);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-python-chart-"));
        const bin = pluginBinDir();
        await installPythonSdk(await generateSdk("python", await servedSchema(bin, dir), path.join(dir, "sdk", "python")));
        const project = path.join(dir, "project");
        fs.mkdirSync(project);
        fs.copyFileSync(path.join(__dirname, "remotePython", "__main__.py"), path.join(project, "__main__.py"));
        ws = new EngineWorkspace({
            project: "remote-python",
            program: path.join(project, "__main__.py"),
            projectDir: project,
            projectFile: { runtime: { name: "python" } },
            // The v3.68 Python host ignores `virtualenv:`: the virtualenv's python first on PATH, as that host expects.
            path: [path.join(pythonVenv(), "bin"), bin],
        });
        await ws.init({
            server: "harbor.example.com",
            username: "robot$dify",
            chartVersion: repo.version,
            chartRepository: repo.url,
            "kubernetes:kubeconfig": api.kubeconfigPath,
        });
        await ws.setSecret("password", PASSWORD);
        await ws.setSecret("gcInterval", CHART_SECRET);
    });
    after(async () => {
        await Promise.all([api?.stop(), repo?.stop()]);
        ws?.remove();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("pulumi up: the release's values are one secret, in no export or output; the value reached the cluster", async () => {
        const up = await ws.ok(["up", "--yes", "--skip-preview"]);
        const state = await ws.ok(["stack", "export"]);
        const resources = JSON.parse(state).deployment.resources as Json[];
        const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release");
        assert.ok(release, resources.map((r) => r.urn).join("\n"));
        assert.equal(release.inputs.values["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "values are secret");
        for (const [where, text] of [
            ["stack export", state],
            ["the up's output", up],
        ]) {
            assert.ok(!text.includes(CHART_SECRET), `${where} holds the chart's secret value`);
            assert.ok(!text.includes(PASSWORD), `${where} holds the password`);
        }
        const configMap = await api.kubectl(["-n", "dify", "get", "configmap", "dify-plugin-connector-config", "-o", "json"]);
        assert.match(JSON.parse(configMap).data["plugin_connector.yaml"], new RegExp(`gcInterval: ${CHART_SECRET}`));
    });

    it("pulumi preview --diff --expect-no-changes passes and shows no secret; destroy", async () => {
        const diff = await ws.ok(["preview", "--diff", "--expect-no-changes"]);
        assert.ok(!diff.includes(CHART_SECRET));
        await ws.ok(["destroy", "--yes", "--skip-preview"]);
    });
});
