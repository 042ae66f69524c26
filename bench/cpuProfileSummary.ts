/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`, or `bench/mirror.profile.ts`): self time by function and by file,
 * the busiest first, idle time apart.
 *
 *   npx tsx bench/cpuProfileSummary.ts .tmp/mirror-copy.cpuprofile [top]
 */
import * as fs from "node:fs";

interface ProfileNode {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
}
export interface Profile {
    readonly nodes: readonly ProfileNode[];
    readonly samples: readonly number[];
    readonly timeDeltas: readonly number[];
}

/** Where a function lives, shortened: `engines/oci/verify.ts`, `node:internal/streams/readable`, `(native)`. */
function where(url: string): string {
    if (!url) return "(native)";
    const repo = url.indexOf("/engines/");
    if (repo >= 0) return url.slice(repo + 1);
    return url.replace(/^file:\/\/.*\/node_modules\//, "");
}

/** Prints the summary of `profile`: the `top` functions and files by self time. */
export function summarizeProfile(profile: Profile, top = 30): void {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    for (let i = 0; i < profile.samples.length; i++) {
        const id = profile.samples[i];
        self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
    const byFunction = new Map<string, number>();
    const byArea = new Map<string, number>();
    let total = 0;
    let idle = 0;
    for (const [id, us] of self) {
        const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
        if (functionName === "(idle)") {
            idle += us;
            continue;
        }
        total += us;
        const key = `${functionName || "(anonymous)"} ${where(url)}${url ? `:${lineNumber + 1}` : ""}`;
        byFunction.set(key, (byFunction.get(key) ?? 0) + us);
        const area = functionName.startsWith("(") ? functionName : where(url).replace(/:\d+$/, "");
        byArea.set(area, (byArea.get(area) ?? 0) + us);
    }
    const ms = (us: number) => (us / 1000).toFixed(0).padStart(6);
    const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
    console.log(`busy ${ms(total)} ms, idle ${ms(idle)} ms`);
    console.log("\nself time by function:");
    for (const [k, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms ${pct(us)}  ${k}`);
    console.log("\nself time by file:");
    for (const [k, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms ${pct(us)}  ${k}`);
}

if (require.main === module) {
    const [file, top] = process.argv.slice(2);
    if (!file) throw new Error("usage: tsx bench/cpuProfileSummary.ts <file.cpuprofile> [top]");
    summarizeProfile(JSON.parse(fs.readFileSync(file, "utf8")), Number(top ?? 30));
}
