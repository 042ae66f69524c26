/**
 * A CPU profile of our copier alone: the 200 MiB, 3-layer image of `npm run bench:mirror` copied between two TLS +
 * htpasswd loopback registries, profiled (node:inspector, as `--cpu-prof` does) only while `mirrorImages` runs — not
 * the fixtures, the registries' start or skopeo. Writes `.tmp/mirror-copy.cpuprofile` (open it in Chrome DevTools)
 * and prints its summary (`bench/cpuProfileSummary.ts`) and our CPU seconds per GiB.
 *
 *   npx tsx bench/mirror.profile.ts            # PROFILE_COPIES=3 copies, each into a fresh target
 *   PROFILE=0 PROFILE_COPIES=8 npx tsx bench/mirror.profile.ts   # no profiler: CPU s/GiB per copy
 *   PROFILE=0 PROFILE_COPIES=12 PROFILE_ENGINES=.tmp/a,.tmp/b npx tsx bench/mirror.profile.ts
 *       # A/B: copies of engines/oci in those folders take turns in one process, against the same source; medians
 *   PROFILE_FLOOR=1 npx tsx bench/mirror.profile.ts
 *       # first, Node's own floor without the copier: the layers GET over TLS (dropped, then hashed) and 200 MiB PUT
 *       # from memory over TLS in 1 MiB and in 16 KiB writes; CPU s/GiB and GCs of each, three rounds
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import { Session } from "node:inspector/promises";
import * as os from "node:os";
import * as path from "node:path";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { mirrorImages, type MirrorOptions } from "../engines/oci";
import { startRegistry, type RunningRegistry } from "../test/support/registry";
import { fmt, median, PASSWORD, skopeo, USER } from "./benchSupport";
import { type Profile, summarizeProfile } from "./cpuProfileSummary";
import { tagInLayout, writeImage } from "./mirrorFixtures";

const MiB = 1024 * 1024;
const COPIES = Number(process.env.PROFILE_COPIES ?? 3);
const PROFILE = process.env.PROFILE !== "0";
type Mirror = typeof mirrorImages;
/** The engines taking turns: `engines/oci` itself, or the copies named by PROFILE_ENGINES. */
const ENGINES: { readonly name: string; readonly mirror: Mirror }[] = process.env.PROFILE_ENGINES
    ? process.env.PROFILE_ENGINES.split(",").map((dir) => ({
          name: dir,
          mirror: (require(path.resolve(dir, "index.ts")) as { mirrorImages: Mirror }).mirrorImages,
      }))
    : [{ name: "engines/oci", mirror: mirrorImages }];

/** Garbage collections seen (PerformanceObserver "gc" entries): count and pause ms of major (mark-compact) and minor ones. */
const gc = { major: 0, minor: 0, ms: 0 };
new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
        const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
        else gc.minor++;
        gc.ms += entry.duration;
    }
}).observe({ entryTypes: ["gc"] });

async function timed(mirror: Mirror, plan: { source: string; target: string }[], options: MirrorOptions) {
    const gc0 = { ...gc };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const report = await mirror(plan, options);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (!report.ok) throw new Error(report.results.map((r) => r.error?.message).join("\n"));
    // Entries arrive after the collection: let them in.
    await new Promise((resolve) => setImmediate(resolve));
    const gcs = `${gc.major - gc0.major} major + ${gc.minor - gc0.minor} minor GCs, ${fmt(gc.ms - gc0.ms, 0)} ms`;
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, sysMs: cpu.system / 1000, gcs, digest: report.results[0].digest };
}

/** CPU s/GiB and GCs of `fn`, which moves `bytes`. */
async function measured(label: string, bytes: number, fn: () => Promise<void>): Promise<void> {
    const gc0 = { ...gc };
    const cpu0 = process.cpuUsage();
    await fn();
    const cpu = process.cpuUsage(cpu0);
    await new Promise((resolve) => setImmediate(resolve));
    const gib = bytes / 1024 / MiB;
    console.log(
        `   ${label}: ${fmt((cpu.user + cpu.system) / 1e6 / gib)} CPU s/GiB (system ${fmt(cpu.system / 1e6 / gib)}); ${gc.major - gc0.major} major + ${gc.minor - gc0.minor} minor GCs`,
    );
}

/**
 * Node's own cost of the two halves of a copy, without the copier: GETs of `layers` from the TLS source (bytes
 * dropped, or hashed), and a monolithic PUT of 200 MiB held in memory into a TLS target, written in 1 MiB or 16 KiB
 * pieces. What a copy cannot go below on node:https.
 */
async function floor(source: RunningRegistry, target: RunningRegistry, layers: { digest: string; size: number }[], auth: string) {
    const get = (agent: https.Agent, digest: string, onData: (chunk: Buffer) => void) =>
        new Promise<void>((resolve, reject) => {
            const headers = { authorization: `Basic ${auth}` };
            https
                .get(`${source.url}/v2/bench/big/blobs/${digest}`, { agent, headers }, (res) => {
                    res.on("data", onData);
                    res.on("end", resolve);
                    res.on("error", reject);
                })
                .on("error", reject);
        });
    const put = async (agent: https.Agent, repository: string, data: Buffer, piece: number) => {
        const headers = { authorization: `Basic ${auth}`, "content-length": 0 };
        const location = await new Promise<string>((resolve, reject) => {
            https
                .request(`${target.url}/v2/${repository}/blobs/uploads/`, { method: "POST", agent, headers }, (res) => {
                    res.resume();
                    resolve(new URL(res.headers.location!, target.url).toString());
                })
                .on("error", reject)
                .end();
        });
        const url = new URL(location);
        url.searchParams.set("digest", `sha256:${createHash("sha256").update(data).digest("hex")}`);
        await new Promise<void>((resolve, reject) => {
            const req = https.request(url, { method: "PUT", agent, headers: { ...headers, "content-length": data.length } }, (res) => {
                res.resume();
                res.on("end", () => (res.statusCode === 201 ? resolve() : reject(new Error(`PUT: HTTP ${res.statusCode}`))));
            });
            req.on("error", reject);
            let at = 0;
            const write = () => {
                while (at < data.length) {
                    const ok = req.write(data.subarray(at, at + piece));
                    at += piece;
                    if (!ok) return void req.once("drain", write);
                }
                req.end();
            };
            write();
        });
    };
    const bytes = layers.reduce((n, l) => n + l.size, 0);
    const data = Buffer.alloc(200 * MiB, 7);
    const srcAgent = new https.Agent({ keepAlive: true, ca: fs.readFileSync(source.caFile!) });
    const dstAgent = new https.Agent({ keepAlive: true, ca: fs.readFileSync(target.caFile!) });
    console.log("Node's floor, no copier (node:https, the same registries):");
    for (let round = 0; round < 3; round++) {
        await measured("GET over TLS, dropped     ", bytes, async () => {
            for (const l of layers) await get(srcAgent, l.digest, () => undefined);
        });
        await measured("GET over TLS, sha256      ", bytes, async () => {
            for (const l of layers) {
                const hash = createHash("sha256");
                await get(srcAgent, l.digest, (chunk) => hash.update(chunk));
                hash.digest();
            }
        });
        await measured("PUT over TLS, 1 MiB writes", data.length, () => put(dstAgent, `floor/a${round}`, data, MiB));
        await measured("PUT over TLS, 16 KiB writes", data.length, () => put(dstAgent, `floor/b${round}`, data, 16 * 1024));
    }
    srcAgent.destroy();
    dstAgent.destroy();
}

async function main(): Promise<void> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-profile-"));
    const registry = () => startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } });
    const source = await registry();
    const session = new Session();
    session.connect();
    try {
        const layout = path.join(work, "big");
        const desc = await writeImage(layout, [
            { seed: "big-0", size: 80 * MiB },
            { seed: "big-1", size: 70 * MiB },
            { seed: "big-2", size: 50 * MiB },
        ]);
        tagInLayout(layout, "v1", desc);
        const login = { auth: Buffer.from(`${USER}:${PASSWORD}`).toString("base64") };
        const srcAuth = path.join(work, "auth-source.json");
        fs.writeFileSync(srcAuth, JSON.stringify({ auths: { [source.host]: login } }));
        const push = ["copy", "--dest-authfile", srcAuth, "--dest-cert-dir", source.certDir!];
        await skopeo([...push, `oci:${layout}:v1`, `docker://${source.host}/bench/big:v1`]);
        const bytes = fs.readdirSync(path.join(layout, "blobs", "sha256")).reduce((n, f) => {
            return f === desc.digest.slice(7) ? n : n + fs.statSync(path.join(layout, "blobs", "sha256", f)).size;
        }, 0);
        const manifest = JSON.parse(fs.readFileSync(path.join(layout, "blobs", "sha256", desc.digest.slice(7)), "utf8"));
        fs.rmSync(layout, { recursive: true, force: true });
        if (process.env.PROFILE_FLOOR === "1") {
            const target = await registry();
            try {
                await floor(source, target, manifest.layers, login.auth);
            } finally {
                await target.stop();
            }
        }

        await session.post("Profiler.enable");
        await session.post("Profiler.setSamplingInterval", { interval: 200 });
        const perGiB = new Map<string, number[]>(ENGINES.map((e) => [e.name, []]));
        for (let i = 0; i < COPIES; i++) {
            const engine = ENGINES[i % ENGINES.length];
            const target = await registry();
            try {
                const authFile = path.join(work, `auth-${i}.json`);
                fs.writeFileSync(authFile, JSON.stringify({ auths: { [source.host]: login, [target.host]: login } }));
                const options: MirrorOptions = {
                    auth: authFile,
                    registries: { [source.host]: { caFile: source.caFile }, [target.host]: { caFile: target.caFile } },
                };
                const plan = [{ source: `${source.host}/bench/big:v1`, target: `${target.host}/mirror/big:v1` }];
                if (PROFILE) await session.post("Profiler.start");
                const run = await timed(engine.mirror, plan, options);
                const profile = PROFILE ? (await session.post("Profiler.stop")).profile : undefined;
                if (run.digest !== desc.digest) throw new Error(`digest changed: ${run.digest} != ${desc.digest}`);
                const s = run.cpuMs / 1000 / (bytes / 1024 / MiB);
                // The first copy of each engine warms the JIT up: not counted.
                if (i >= ENGINES.length) perGiB.get(engine.name)!.push(s);
                console.log(
                    `copy ${i + 1} (${engine.name}): ${fmt(run.ms, 0)} ms wall, ${fmt(run.cpuMs, 0)} ms CPU (${fmt(run.sysMs, 0)} system), ${fmt(s)} s/GiB; ${run.gcs}`,
                );
                // The last copy's profile is kept: the JIT is warm by then.
                if (profile && i === COPIES - 1) {
                    const out = path.join(__dirname, "..", ".tmp", "mirror-copy.cpuprofile");
                    fs.mkdirSync(path.dirname(out), { recursive: true });
                    fs.writeFileSync(out, JSON.stringify(profile));
                    console.log(`\nprofile of copy ${i + 1}: ${out}`);
                    summarizeProfile(profile as Profile, 25);
                }
            } finally {
                await target.stop();
            }
        }
        console.log(`\nCPU s/GiB, median of the copies after each engine's first${PROFILE ? " (profiler on: a few % more)" : ""}:`);
        for (const [name, xs] of perGiB)
            console.log(`   ${name}: ${xs.length ? fmt(median(xs)) : "-"}  (${xs.map((x) => fmt(x)).join(", ")})`);
        console.log(
            `load average: ${os
                .loadavg()
                .map((x) => fmt(x))
                .join(" ")}`,
        );
    } finally {
        session.disconnect();
        await source.stop();
        fs.rmSync(work, { recursive: true, force: true });
    }
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
