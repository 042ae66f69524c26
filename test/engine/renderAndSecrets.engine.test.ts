// Through the real engine: the local stack's render mode (renderYamlToDirectory) writes every manifest, and secrets
// set in stack config with --secret stay secret in the state, the preview's diff and the CLI's output.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { apiServerAvailable, ENGINE_TOOLS_HINT } from "../support/apiServer";
import { ENGINE_PASSWORD, type EngineStack, startEngineStack } from "../support/engineStack";
import { pulumiBinary } from "../support/pulumiEngine";
import { INSTALL_HINT, registryAvailable } from "../support/registry";

function requireTools(): void {
    assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
    assert.ok(registryAvailable(), `docker-registry missing; run: ${INSTALL_HINT}`);
}

/** Every file under `dir`, relative. */
function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe("engine: the local stack in render mode (renderYamlToDirectory)", () => {
    let world: EngineStack;
    let rendered: string;

    before(async () => {
        requireTools();
        world = await startEngineStack();
        rendered = path.join(world.ws.dir, "rendered");
        // As stacks/Pulumi.local.yaml: the provider renders into a directory instead of applying.
        await world.ws.ok(["config", "set", "--path", "kubernetes.renderYamlToDirectory", rendered]);
        await world.ws.ok(["config", "rm", "--path", "kubernetes.kubeconfig"]);
    });
    after(() => world?.stop());

    it("pulumi up writes every manifest, and applies nothing to the cluster", async () => {
        await world.ws.ok(["up", "--yes", "--skip-preview"]);
        const manifests = filesUnder(rendered).map((f) => {
            const doc = YAML.parse(fs.readFileSync(path.join(rendered, f), "utf8"));
            return `${doc.kind}/${doc.metadata.name}`;
        });
        assert.deepEqual(manifests.sort(), [
            "ConfigMap/dify-plugin-connector-config",
            "Deployment/dify-plugin-connector",
            "Namespace/dify",
            "Secret/image-repo-secret",
        ]);
        assert.equal(await world.api.kubectl(["get", "namespace", "dify", "--ignore-not-found", "-o", "name"]), "");
    });
});

describe("engine: secrets set in stack config with --secret stay secret", () => {
    const PG_PASSWORD = "pg-Sentinel-5a7e1d";
    let world: EngineStack;
    let clientKey: string;
    let up: string;

    before(async () => {
        requireTools();
        // A Helm release: its values are inputs the state and every diff hold (a helm.v4.Chart keeps only the objects).
        world = await startEngineStack();
        await world.ws.ok(["config", "set", "--path", "chart.kind", "release"]);
        await world.ws.ok(["config", "set", "--path", "chart.skipAwait", "true"]);
        await world.ws.setSecret("chart.values.externalPostgres.password", PG_PASSWORD);
        // The kubeconfig's text, with the admin's client key in it, set as a secret.
        const kubeconfig = fs.readFileSync(world.api.kubeconfigPath, "utf8");
        clientKey = (YAML.parse(kubeconfig).users[0].user["client-key-data"] as string).slice(0, 64);
        await world.ws.ok(["config", "rm", "--path", "kubernetes.kubeconfig"]);
        await world.ws.setSecret("kubernetes.kubeconfig", kubeconfig);
        up = await world.ws.ok(["up", "--yes", "--skip-preview"]);
    });
    after(() => world?.stop());

    it("the stack file holds them encrypted", () => {
        const file = world.ws.stackFile();
        assert.ok(!file.includes(PG_PASSWORD) && !file.includes(clientKey));
        assert.match(file, /secure:/);
    });

    it("neither is in pulumi stack export, the up's output, nor preview --diff (text and JSON)", async () => {
        const outputs = [
            ["stack export", await world.ws.ok(["stack", "export"])],
            ["up", up],
            ["preview --diff", await world.ws.ok(["preview", "--diff"])],
            ["preview --diff --json", await world.ws.ok(["preview", "--diff", "--json"])],
        ];
        for (const [what, text] of outputs) {
            for (const [name, needle] of [
                ["the postgres password", PG_PASSWORD],
                ["the kubeconfig's client key", clientKey],
                ["the registry password", ENGINE_PASSWORD],
            ]) {
                assert.ok(!text.includes(needle), `${what} shows ${name}`);
            }
        }
    });

    it("the release still reached the cluster", async () => {
        const deployments = await world.api.kubectl(["-n", "dify", "get", "deployments", "-o", "name"]);
        assert.match(deployments, /deployment.apps\/dify-plugin-connector/);
    });
});
