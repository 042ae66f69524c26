/**
 * npm run bench — evaluation time of N DifyPluginRegistry instances under the recording mocks, beside a hand-written
 * program that registers the same raw resources (bench/programs.ts), as a ratio component / hand-written (target ≤ 1.2).
 *
 * Env: BENCH_N (instances per run, default 200), BENCH_ROUNDS (measured rounds, default 7).
 * Exit code: 0 whatever the ratio (a benchmark reports, it does not judge); 1 when the two programs do not register
 * the same resources (the comparison would be meaningless) or anything throws.
 */
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { installRecordingMocks, RecordedResource, registered, resetRecorded, settle } from "../program/offline/recorder";
import { componentProgram, handWrittenProgram } from "./programs";

const COMPONENT_TYPE = "dify:index:PluginRegistry";
const TARGET = 1.2;

type Side = "component" | "hand-written";
const programs: Record<Side, (n: number) => void> = { component: componentProgram, "hand-written": handWrittenProgram };

function intEnv(name: string, fallback: number): number {
    const raw = process.env[name];
    if (raw === undefined || raw === "") {
        return fallback;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) {
        throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    }
    return value;
}

// A full GC before each timed run keeps one side from paying for the other's garbage.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

class SanityError extends Error {}

interface Run {
    /** Total: construct + settle, ms. */
    readonly ms: number;
    /** Synchronous construction part (constructors returning), ms. */
    readonly syncMs: number;
    readonly resources: readonly RecordedResource[];
}

async function run(side: Side, n: number): Promise<Run> {
    resetRecorded();
    gc();
    const t0 = process.hrtime.bigint();
    programs[side](n);
    const t1 = process.hrtime.bigint();
    await settle();
    const t2 = process.hrtime.bigint();
    const resources = registered();
    resetRecorded();
    return { ms: Number(t2 - t0) / 1e6, syncMs: Number(t1 - t0) / 1e6, resources };
}

/** Canonical JSON: object keys sorted, so registration-order differences in inputs do not matter. */
function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, v) =>
        v !== null && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(
                  Object.keys(v)
                      .sort()
                      .map((k) => [k, (v as Record<string, unknown>)[k]]),
              )
            : v,
    );
}

function typeCounts(resources: readonly RecordedResource[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of resources) {
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    }
    return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

function describeCounts(counts: Map<string, number>): string {
    return [...counts].map(([t, c]) => `${c} × ${t}`).join(", ");
}

/** Quick per-run check: the component side registers exactly the hand-written set plus N component resources. */
function checkCounts(side: Side, n: number, resources: readonly RecordedResource[]): void {
    const counts = typeCounts(resources);
    const components = counts.get(COMPONENT_TYPE) ?? 0;
    counts.delete(COMPONENT_TYPE);
    const expectedComponents = side === "component" ? n : 0;
    const children = [...counts.values()].reduce((a, b) => a + b, 0);
    if (components !== expectedComponents || children !== 3 * n || [...counts.values()].some((c) => c !== n)) {
        throw new SanityError(`${side} run registered ${describeCounts(typeCounts(resources))}; expected ${n} of each of 3 child types`);
    }
}

/**
 * Full check, once: the component's children and the hand-written resources are the same set — same types, names,
 * custom/remote flags and inputs (secrets compared wrapped, i.e. both must be secret).
 */
function checkSameResources(component: readonly RecordedResource[], hand: readonly RecordedResource[]): void {
    const key = (r: RecordedResource) => `${r.type}::${r.name}::${r.custom ? "custom" : "remote"}::${canonical(r.inputs)}`;
    const children = component.filter((r) => r.type !== COMPONENT_TYPE);
    const a = children.map(key).sort();
    const b = hand.map(key).sort();
    const childTypes = describeCounts(typeCounts(children));
    const handTypes = describeCounts(typeCounts(hand));
    if (childTypes !== handTypes) {
        throw new SanityError(`child resource types differ:\n  component children: ${childTypes}\n  hand-written:       ${handTypes}`);
    }
    const setA = new Set(a);
    const setB = new Set(b);
    const onlyA = a.filter((k) => !setB.has(k));
    const onlyB = b.filter((k) => !setA.has(k));
    if (a.length !== b.length || onlyA.length > 0 || onlyB.length > 0) {
        throw new SanityError(
            `registered resources differ (${onlyA.length} only in component, ${onlyB.length} only in hand-written):\n` +
                `  component:    ${onlyA[0] ?? "-"}\n  hand-written: ${onlyB[0] ?? "-"}`,
        );
    }
    const parents = children.filter((r) => r.parent !== `${COMPONENT_TYPE}::${r.name.replace(/-(namespace|image-repo-secret|dify)$/, "")}`);
    if (parents.length > 0) {
        throw new SanityError(`component children not parented to their component: ${parents[0].type}::${parents[0].name}`);
    }
}

function median(xs: readonly number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const fmt = (ms: number, digits = 1) => ms.toFixed(digits).padStart(8);

async function main(): Promise<number> {
    const n = intEnv("BENCH_N", 200);
    const rounds = intEnv("BENCH_ROUNDS", 7);
    installRecordingMocks("dify-plugin-registry", "bench");

    console.log(`bench: DifyPluginRegistry vs hand-written raw resources, under recording mocks (node ${process.version})`);
    console.log(`N=${n} instances per run, 1 warm-up round + ${rounds} measured rounds, order alternating A/B, B/A\n`);

    // Warm-up (JIT, module init) doubling as the full sanity check of what both sides register.
    const warmComponent = await run("component", n);
    const warmHand = await run("hand-written", n);
    checkSameResources(warmComponent.resources, warmHand.resources);
    checkCounts("component", n, warmComponent.resources);
    checkCounts("hand-written", n, warmHand.resources);
    const children = warmComponent.resources.filter((r) => r.type !== COMPONENT_TYPE);
    console.log("sanity: both sides register the same raw resources (types, names, inputs, secrets wrapped):");
    console.log(`  hand-written: ${warmHand.resources.length} resources — ${describeCounts(typeCounts(warmHand.resources))}`);
    console.log(
        `  component:    ${warmComponent.resources.length} resources — the same ${children.length} children ` +
            `+ ${n} × ${COMPONENT_TYPE} (the component resource itself, which the hand-written program has no need of)\n`,
    );

    const times: Record<Side, number[]> = { component: [], "hand-written": [] };
    const sync: Record<Side, number[]> = { component: [], "hand-written": [] };
    for (let r = 0; r < rounds; r++) {
        const order: Side[] = r % 2 === 0 ? ["component", "hand-written"] : ["hand-written", "component"];
        const line: string[] = [];
        for (const side of order) {
            const result = await run(side, n);
            checkCounts(side, n, result.resources);
            times[side].push(result.ms);
            sync[side].push(result.syncMs);
            line.push(`${side} ${result.ms.toFixed(1)} ms`);
        }
        console.log(`  round ${r + 1}/${rounds}: ${line.join(", ")}`);
    }

    console.log(
        `\n${"side".padEnd(14)}${"median ms".padStart(10)}${"min".padStart(9)}${"max".padStart(9)}${"ms/inst".padStart(9)}${"sync med".padStart(10)}`,
    );
    for (const side of ["component", "hand-written"] as const) {
        const t = times[side];
        console.log(
            `${side.padEnd(14)}${fmt(median(t)).padStart(10)}${fmt(Math.min(...t)).padStart(9)}${fmt(Math.max(...t)).padStart(9)}` +
                `${fmt(median(t) / n, 3).padStart(9)}${fmt(median(sync[side])).padStart(10)}`,
        );
    }
    console.log("(sync med: median time until the constructors return, before the registrations settle)\n");

    const ratio = median(times.component) / median(times["hand-written"]);
    const perRound = times.component.map((c, i) => c / times["hand-written"][i]);
    console.log(
        `per-round ratios: ${perRound.map((x) => x.toFixed(2)).join(" ")} (min ${Math.min(...perRound).toFixed(2)}, max ${Math.max(...perRound).toFixed(2)})`,
    );
    console.log(
        `ratio component/hand-written (median of ${rounds} rounds, N=${n}): ${ratio.toFixed(2)} (target <= ${TARGET})` +
            (ratio <= TARGET ? "" : "  ABOVE TARGET"),
    );
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(err instanceof SanityError ? `bench sanity check failed: ${err.message}` : err);
        process.exit(1);
    },
);
