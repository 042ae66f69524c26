/**
 * npm run bench:engine — the stack program through the real Pulumi engine (issue 18, item 4): wall time of a cold
 * `pulumi up` (a fresh stack in a fresh workspace) and of a no-op `pulumi preview` after it, beside the same stack
 * written as raw resources (bench/engine/rawProgram.ts: provider, Namespace, `image-repo-secret`, the chart as
 * `helm.v4.Chart` with the same plugin_connector keys). Both are TypeScript programs run by the Node.js language host
 * under the same runtime options (`typescript: true`: ts-node, type-checked), on one stack config, against one real
 * API server (test/support/apiServer.ts), the stand-in Dify chart from a loopback Helm repository and a TLS + htpasswd
 * registry; the pulumi CLI, language host and Kubernetes provider of scripts/engine-tools.sh (file backend).
 *
 * The component side runs its push check (on by default: what users get); the raw program has none. Each run gets its
 * own namespace, so nothing is destroyed between runs.
 *
 * Env: BENCH_ROUNDS (default 3; each round runs both sides, the order alternating), BENCH_PUSH_CHECK=0 (the component
 * without its push check), BENCH_TRANSPILE_ONLY=1 (ts-node without type checking, both sides).
 * Exit code: 0 whatever the ratio; 1 when the two sides do not put the same objects into the cluster, or anything fails.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { apiServerAvailable, ENGINE_TOOLS_HINT, engineToolsBinDir, type RunningApiServer, startApiServer } from "../test/support/apiServer";
import { type ChartRepository, startChartRepository } from "../test/support/chartRepository";
import { EngineWorkspace, pulumiBinary } from "../test/support/pulumiEngine";
import { INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "../test/support/registry";
import { fmt, loadAverage, median } from "./benchSupport";

const ROOT = path.resolve(__dirname, "..");
const USER = "dify-push";
const PASSWORD = "bench-engine-pw";
const PROGRAMS = { component: path.join(ROOT, "index.ts"), raw: path.join(ROOT, "bench", "engine", "rawProgram.ts") } as const;
type Side = keyof typeof PROGRAMS;

class SanityError extends Error {}

function intEnv(name: string, fallback: number): number {
    const raw = process.env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    return value;
}

interface World {
    readonly api: RunningApiServer;
    readonly registry: RunningRegistry;
    readonly repo: ChartRepository;
}

interface RunResult {
    readonly upMs: number;
    readonly previewMs: number;
    /** The up's own summary: `+ 7 created`. */
    readonly created: string;
    readonly namespace: string;
}

const seconds = (ms: number) => `${fmt(ms / 1000, 1)} s`;

/** One side, cold: a fresh workspace and stack (untimed), then `up` and a no-op `preview` (timed). */
async function runSide(world: World, side: Side, namespace: string, pushCheck: boolean, env: Record<string, string>): Promise<RunResult> {
    const ws = new EngineWorkspace({ project: "dify-plugin-registry", program: PROGRAMS[side], typescript: true, stack: "bench" });
    try {
        await ws.init({
            namespace,
            registry: { type: "docker", server: world.registry.host, prefix: "dify/plugins", username: USER },
            chart: { version: world.repo.version, repository: world.repo.url },
            pushCheck: pushCheck ? { caFile: world.registry.caFile } : false,
            kubernetes: { kubeconfig: world.api.kubeconfigPath },
        });
        await ws.setSecret("registry.password", PASSWORD);
        let t0 = performance.now();
        const up = await ws.ok(["up", "--yes", "--skip-preview"], { env });
        const upMs = performance.now() - t0;
        t0 = performance.now();
        await ws.ok(["preview", "--expect-no-changes"], { env });
        const previewMs = performance.now() - t0;
        const created = /\+ (\d+) created/.exec(up)?.[1] ?? "?";
        return { upMs, previewMs, created, namespace };
    } finally {
        ws.remove();
    }
}

/** What reached the cluster in a namespace: the Secret's data and the chart's ConfigMap and Deployment, comparable. */
async function objectsOf(api: RunningApiServer, namespace: string): Promise<Record<string, unknown>> {
    const get = async (what: string) => JSON.parse(await api.kubectl(["-n", namespace, "get", what, "-o", "json"]));
    const secret = await get("secret/image-repo-secret");
    const config = await get("configmap/dify-plugin-connector-config");
    const deployment = await get("deployment/dify-plugin-connector");
    return { secret: { type: secret.type, data: secret.data }, config: config.data, pod: deployment.spec.template };
}

async function checkSameObjects(api: RunningApiServer, component: string, raw: string): Promise<void> {
    const [a, b] = [await objectsOf(api, component), await objectsOf(api, raw)];
    for (const key of Object.keys(a)) {
        const [x, y] = [JSON.stringify(a[key]), JSON.stringify(b[key])];
        if (x !== y)
            throw new SanityError(`the two sides put different ${key} objects into the cluster:\n  component: ${x}\n  raw:       ${y}`);
    }
}

function versionOf(bin: string, args: string[]): string {
    try {
        return execFileSync(bin, args, { encoding: "utf8" }).trim().split("\n")[0];
    } catch {
        return "?";
    }
}

/** The version scripts/engine-tools.sh stamped for one of its tools (the provider has no version flag). */
function stampedVersion(tool: string): string {
    try {
        return fs.readFileSync(path.join(path.dirname(engineToolsBinDir()), "stamps", tool), "utf8").split(" ")[0];
    } catch {
        return "(not built by scripts/engine-tools.sh)";
    }
}

async function main(): Promise<number> {
    const rounds = intEnv("BENCH_ROUNDS", 3);
    const pushCheck = process.env.BENCH_PUSH_CHECK !== "0";
    const transpileOnly = process.env.BENCH_TRANSPILE_ONLY === "1";
    const pulumi = pulumiBinary();
    if (!apiServerAvailable() || !pulumi) throw new Error(`engine tools missing; ${ENGINE_TOOLS_HINT}`);
    if (!registryAvailable()) throw new Error(`docker-registry missing; run: ${INSTALL_HINT}`);
    const env: Record<string, string> = transpileOnly ? { PULUMI_NODEJS_TRANSPILE_ONLY: "true" } : {};

    console.log("bench:engine — the stack program (component) vs the same stack as raw resources, through the real engine");
    console.log(
        `pulumi ${versionOf(pulumi, ["version"])}, pulumi-resource-kubernetes ${stampedVersion("pulumi-resource-kubernetes")}, ` +
            `node ${process.version}, ${os.cpus().length} CPUs, load average ${loadAverage()}`,
    );
    console.log(
        `both TypeScript (runtime option typescript: true, ts-node ${transpileOnly ? "transpile-only" : "type-checked"}); ` +
            `component push check ${pushCheck ? "ON (what users get) — the raw program has no push check" : "OFF (BENCH_PUSH_CHECK=0)"}`,
    );
    console.log(`${rounds} rounds, order alternating; each run: fresh workspace + stack (untimed), cold up, no-op preview\n`);

    const started = performance.now();
    const [api, registry, repo] = await Promise.all([
        startApiServer(),
        startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } }),
        startChartRepository(),
    ]);
    const world: World = { api, registry, repo };
    try {
        const results: Record<Side, RunResult[]> = { component: [], raw: [] };
        for (let r = 0; r < rounds; r++) {
            const order: Side[] = r % 2 === 0 ? ["component", "raw"] : ["raw", "component"];
            const line: string[] = [];
            for (const side of order) {
                const result = await runSide(world, side, `bench-${side}-${r + 1}`, pushCheck, env);
                results[side].push(result);
                line.push(`${side} up ${seconds(result.upMs)} (+${result.created}), preview ${seconds(result.previewMs)}`);
            }
            console.log(`  round ${r + 1}/${rounds}: ${line.join("; ")}`);
            if (r === 0) await checkSameObjects(api, results.component[0].namespace, results.raw[0].namespace);
        }
        console.log("sanity: both sides put the same Secret, ConfigMap and Deployment into the cluster\n");

        const stats = (xs: number[]) => [median(xs), Math.min(...xs), Math.max(...xs)].map((ms) => seconds(ms).padStart(9)).join("");
        console.log(`${"".padEnd(28)}${"median".padStart(9)}${"min".padStart(9)}${"max".padStart(9)}`);
        for (const [what, pick] of [
            ["up (cold)", (x: RunResult) => x.upMs],
            ["preview (no-op)", (x: RunResult) => x.previewMs],
        ] as const) {
            for (const side of ["component", "raw"] as const) {
                console.log(`${`${what}, ${side}`.padEnd(28)}${stats(results[side].map(pick))}`);
            }
        }
        console.log();
        for (const [what, pick] of [
            ["up (cold)", (x: RunResult) => x.upMs],
            ["preview (no-op)", (x: RunResult) => x.previewMs],
        ] as const) {
            const c = results.component.map(pick);
            const w = results.raw.map(pick);
            const perRound = c.map((x, i) => fmt(x / w[i]));
            console.log(
                `ratio component/raw, ${what}: ${fmt(median(c) / median(w))} (medians of ${rounds}; per round ${perRound.join(" ")})`,
            );
        }
        console.log(
            `\nresources created: component ${results.component[0].created} (with the component resource${pushCheck ? " and the push check" : ""}), ` +
                `raw ${results.raw[0].created}; the raw program has no push check`,
        );
        console.log(`total ${seconds(performance.now() - started)}, load average now ${loadAverage()}`);
        return 0;
    } finally {
        await Promise.all([api.stop(), registry.stop(), repo.stop()]);
    }
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(err instanceof SanityError ? `bench sanity check failed: ${err.message}` : err);
        process.exit(1);
    },
);
