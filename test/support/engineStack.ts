/**
 * One engine test's world: its own API server, a TLS + htpasswd registry (the plugin registry, push-checked), the
 * stand-in Dify chart's loopback Helm repository, and a Pulumi workspace whose program is the repository's stack
 * program (`index.ts`), configured like `stacks/Pulumi.local.yaml` but applying to the API server.
 */
import * as path from "node:path";
import { type RunningApiServer, startApiServer } from "./apiServer";
import { type ChartRepository, startChartRepository } from "./chartRepository";
import { EngineWorkspace } from "./pulumiEngine";
import { type RunningRegistry, startRegistry } from "./registry";

const ROOT = path.resolve(__dirname, "..", "..");
export const ENGINE_USER = "dify-push";
export const ENGINE_PASSWORD = "engine-Sentinel-pw-5e1c";

export interface EngineStack {
    readonly api: RunningApiServer;
    readonly registry: RunningRegistry;
    readonly repo: ChartRepository;
    readonly ws: EngineWorkspace;
    /** The stack config `init` wrote (plain keys only; the password is set secret). */
    readonly config: Record<string, unknown>;
    stop(): Promise<void>;
}

/** Starts the world; `config` is merged over the default stack config (top-level keys replaced). */
export async function startEngineStack(config: Record<string, unknown> = {}, password = ENGINE_PASSWORD): Promise<EngineStack> {
    const [api, registry, repo] = await Promise.all([
        startApiServer(),
        startRegistry({ tls: true, auth: { username: ENGINE_USER, password: ENGINE_PASSWORD } }),
        startChartRepository(),
    ]);
    const ws = new EngineWorkspace({ project: "dify-plugin-registry", program: path.join(ROOT, "index.ts"), typescript: true });
    const full = {
        namespace: "dify",
        registry: { type: "docker", server: registry.host, prefix: "dify/plugins", username: ENGINE_USER },
        chart: { version: repo.version, repository: repo.url },
        pushCheck: { caFile: registry.caFile },
        kubernetes: { kubeconfig: api.kubeconfigPath },
        ...config,
    };
    await ws.init(full);
    if ((full.registry as { type: string }).type === "docker") await ws.setSecret("registry.password", password);
    return {
        api,
        registry,
        repo,
        ws,
        config: full,
        stop: async () => {
            await Promise.all([api.stop(), registry.stop(), repo.stop()]);
            ws.remove();
        },
    };
}
