// The user's TypeScript program of the as-shipped suite (the package installed from its npm tarball in a fresh
// project: test/support/shippedProject.ts) through the real engine: up, a no-change preview, destroy — with the push
// check (a dynamic resource whose provider runs from the project's node_modules) against a real registry.
import * as assert from "node:assert/strict";
import { apiServerAvailable, ENGINE_TOOLS_HINT, type RunningApiServer, startApiServer } from "../support/apiServer";
import { type ChartRepository, startChartRepository } from "../support/chartRepository";
import { EngineWorkspace, pulumiBinary } from "../support/pulumiEngine";
import { INSTALL_HINT, type RunningRegistry, registryAvailable, startRegistry } from "../support/registry";
import { type ShippedProject, shippedProject } from "../support/shippedProject";

const USER = "dify-push";
const PASSWORD = "user-program-Sentinel-pw";

describe("engine: the user's program, the package installed from its tarball", () => {
    let api: RunningApiServer;
    let registry: RunningRegistry;
    let repo: ChartRepository;
    let project: ShippedProject;
    let ws: EngineWorkspace;

    before(async () => {
        assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
        assert.ok(registryAvailable(), `docker-registry missing; run: ${INSTALL_HINT}`);
        [api, registry, repo, project] = await Promise.all([
            startApiServer(),
            startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } }),
            startChartRepository(),
            shippedProject(),
        ]);
        // Pulumi.yaml beside the user's package.json, as `pulumi new` lays it out; the compiled CommonJS program.
        ws = new EngineWorkspace({ project: "user-project", program: project.program("cjs", "engineUser"), projectDir: project.dir });
        await ws.init({
            kubeconfig: api.kubeconfigPath,
            server: registry.host,
            username: USER,
            chartVersion: repo.version,
            chartRepository: repo.url,
            caFile: registry.caFile!,
        });
        await ws.setSecret("password", PASSWORD);
    });
    after(async () => {
        await Promise.all([api?.stop(), registry?.stop(), repo?.stop()]);
        ws?.remove();
    });

    it("pulumi up creates the Secret, runs the push check from node_modules and deploys the chart", async () => {
        await ws.ok(["up", "--yes", "--skip-preview"]);
        const state = JSON.parse(await ws.ok(["stack", "export"]));
        const check = state.deployment.resources.find((r: { type: string; urn: string }) => r.urn.endsWith("::dify-push-check"));
        assert.equal(check.type, "pulumi-nodejs:dynamic:Resource");
        assert.match(check.inputs.__provider, /require\("dify-plugin-registry\/engines\/pushCheck"\)/);
        assert.equal(check.outputs.steps.length, 4);
        assert.ok(!JSON.stringify(state).includes(PASSWORD));
        const secret = JSON.parse(await api.kubectl(["-n", "dify", "get", "secret", "image-repo-secret", "-o", "json"]));
        assert.equal(secret.type, "kubernetes.io/dockerconfigjson");
        assert.match(await api.kubectl(["-n", "dify", "get", "deployments", "-o", "name"]), /deployment.apps\/dify-plugin-connector/);
    });

    it("pulumi preview --expect-no-changes passes", async () => {
        await ws.ok(["preview", "--expect-no-changes"]);
    });

    it("pulumi destroy removes what it created", async () => {
        await ws.ok(["destroy", "--yes", "--skip-preview"]);
        assert.equal(await api.kubectl(["-n", "dify", "get", "secret,deployments", "--ignore-not-found", "-o", "name"]), "");
    });
});
