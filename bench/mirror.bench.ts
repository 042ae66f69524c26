/**
 * npm run bench:mirror — our copier against Debian's skopeo on loopback registries, in one run:
 *   1. one 200 MiB, 3-layer image: our throughput ÷ `skopeo copy`'s (target ≥ 1.0), beside the raw blob GET ceiling;
 *   2. eight images shaped like Dify's helper set: `skopeo sync` wall time ÷ ours (target ≥ 2.0);
 *   3. a re-run with nothing changed: ms per image (target ≤ 50);
 *   4. the same no-op re-sync as a user runs it — the built CLI, process start to exit — ÷ `skopeo sync`'s (goal ≤ 0.5);
 *   5. CPU per byte: the 200 MiB image between two TLS + htpasswd registries, user + system CPU seconds per GiB of
 *      our process (`process.cpuUsage`) and of skopeo (its rusage), the ratio (goal ≤ 1.0). CPU seconds, unlike wall
 *      time, barely move when other work shares the machine; the load average is printed beside them.
 * Source: plain HTTP, anonymous (5: TLS + htpasswd). Targets: TLS (self-signed CA) + htpasswd, a fresh registry for
 * every measured copy so nothing is already there (and skopeo's blob cache knows no location in it).
 * Env: BENCH_ROUNDS (default 5), BENCH_ONLY (the parts to run, e.g. `5` or `1,5`).
 * Prints figures; exits 1 only when a copy fails or a digest differs (then the figures would mean nothing).
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { MirrorOptions } from "../engines/oci";
import { startRegistry, type RunningRegistry } from "../test/support/registry";
import { runSkopeo } from "../test/support/skopeo";
import {
    alternateRounds,
    fmt,
    loadAverage,
    median,
    ours,
    PASSWORD,
    pushHelperSet,
    setPlan,
    skopeo,
    skopeoSyncArgs,
    USER,
} from "./benchSupport";
import { tagInLayout, writeImage } from "./mirrorFixtures";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** The big image's layers: 200 MiB of incompressible bytes in three layers. */
const BIG_LAYERS = [
    { seed: "big-0", size: 80 * MiB },
    { seed: "big-1", size: 70 * MiB },
    { seed: "big-2", size: 50 * MiB },
];

/** Read-side ceiling: GET the blobs concurrently over keep-alive HTTP and drop the bytes. */
async function rawGet(source: RunningRegistry, repository: string, digests: string[]): Promise<number> {
    const agent = new http.Agent({ keepAlive: true });
    const t0 = performance.now();
    let bytes = 0;
    await Promise.all(
        digests.map(
            (d) =>
                new Promise<void>((resolve, reject) => {
                    http.get(`${source.url}/v2/${repository}/blobs/${d}`, { agent }, (res) => {
                        res.on("data", (c: Buffer) => (bytes += c.length));
                        res.on("end", resolve);
                        res.on("error", reject);
                    }).on("error", reject);
                }),
        ),
    );
    agent.destroy();
    return bytes / MiB / ((performance.now() - t0) / 1000);
}

async function bigImage(work: string, source: RunningRegistry): Promise<void> {
    const layout = path.join(work, "big");
    const desc = await writeImage(layout, BIG_LAYERS);
    tagInLayout(layout, "v1", desc);
    await skopeo(["copy", "--dest-tls-verify=false", `oci:${layout}:v1`, `docker://${source.host}/bench/big:v1`]);
    const manifest = JSON.parse(fs.readFileSync(path.join(layout, "blobs", "sha256", desc.digest.slice(7)), "utf8"));
    const layers: string[] = manifest.layers.map((l: { digest: string }) => l.digest);
    const bytes = manifest.layers.reduce((n: number, l: { size: number }) => n + l.size, manifest.config.size);
    fs.rmSync(layout, { recursive: true, force: true });

    const ceilings = [];
    for (let i = 0; i < 3; i++) ceilings.push(await rawGet(source, "bench/big", layers));
    const ceiling = Math.max(...ceilings);
    const src = `${source.host}/bench/big:v1`;
    const oursMBs: number[] = [];
    const skopeoMBs: number[] = [];
    const cpu = { ours: [] as number[], skopeo: [] as number[] };
    await alternateRounds(ROUNDS, ["skopeo", "ours"], work, source, async (side, t) => {
        const dest = `${t.target.host}/mirror/big:v1`;
        if (side === "ours") {
            const run = await ours([{ source: src, target: dest }], t.options);
            if (run.digests[0] !== desc.digest) throw new Error(`digest changed: ${run.digests[0]} != ${desc.digest}`);
            oursMBs.push(bytes / MiB / (run.ms / 1000));
            cpu.ours.push(run.cpuMs);
        } else {
            const run = await skopeo(["copy", "--src-tls-verify=false", ...t.skopeoDest, `docker://${src}`, `docker://${dest}`]);
            skopeoMBs.push(bytes / MiB / (run.ms / 1000));
            cpu.skopeo.push(run.cpuMs);
        }
    });
    const [o, s] = [median(oursMBs), median(skopeoMBs)];
    console.log(`\n1. one ${fmt(bytes / MiB, 1)} MiB, 3-layer image (source plain HTTP -> target TLS+htpasswd), ${ROUNDS} rounds`);
    console.log(`   ours   MiB/s: ${oursMBs.map((x) => fmt(x, 0)).join(", ")}  median ${fmt(o, 0)}`);
    console.log(`   skopeo MiB/s: ${skopeoMBs.map((x) => fmt(x, 0)).join(", ")}  median ${fmt(s, 0)}`);
    console.log(
        `   raw blob GET ceiling (3 concurrent GETs, bytes dropped): ${fmt(ceiling, 0)} MiB/s; ours = ${fmt((100 * o) / ceiling, 0)} % of it`,
    );
    console.log(`   CPU of the copying process, median ms: ours ${fmt(median(cpu.ours), 0)}, skopeo ${fmt(median(cpu.skopeo), 0)}`);
    console.log(`   ratio ours / skopeo = ${fmt(o / s)}  (target >= 1.0)`);
}

/**
 * 5. CPU seconds per GiB copied, ours beside skopeo's, both ends TLS + htpasswd (as a mirror between two private
 * registries runs). Our figure is this process's user + system time while `mirrorImages` ran; the bench does nothing
 * else meanwhile (the registries are processes of their own).
 */
async function cpuPerByte(work: string): Promise<void> {
    const source = await startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } });
    try {
        const layout = path.join(work, "cpu");
        const desc = await writeImage(layout, BIG_LAYERS);
        tagInLayout(layout, "v1", desc);
        const login = { auth: Buffer.from(`${USER}:${PASSWORD}`).toString("base64") };
        const srcAuth = path.join(work, "auth-cpu-source.json");
        fs.writeFileSync(srcAuth, JSON.stringify({ auths: { [source.host]: login } }));
        await skopeo([
            "copy",
            "--dest-authfile",
            srcAuth,
            "--dest-cert-dir",
            source.certDir!,
            `oci:${layout}:v1`,
            `docker://${source.host}/bench/big:v1`,
        ]);
        const manifest = JSON.parse(fs.readFileSync(path.join(layout, "blobs", "sha256", desc.digest.slice(7)), "utf8"));
        const bytes: number = manifest.layers.reduce((n: number, l: { size: number }) => n + l.size, manifest.config.size);
        fs.rmSync(layout, { recursive: true, force: true });
        const src = `${source.host}/bench/big:v1`;
        const perGiB = { ours: [] as number[], skopeo: [] as number[] };
        const sysPerGiB = { ours: [] as number[], skopeo: [] as number[] };
        const wall = { ours: [] as number[], skopeo: [] as number[] };
        const loadBefore = loadAverage();
        await alternateRounds(ROUNDS, ["skopeo", "ours"], work, source, async (side, t) => {
            const dest = `${t.target.host}/mirror/big:v1`;
            if (side === "ours") {
                // One docker config with both logins, each registry's own CA.
                const authFile = path.join(work, `auth-cpu-${t.target.host.replace(/\W/g, "_")}.json`);
                fs.writeFileSync(authFile, JSON.stringify({ auths: { [source.host]: login, [t.target.host]: login } }));
                const options: MirrorOptions = {
                    auth: authFile,
                    registries: { [source.host]: { caFile: source.caFile }, [t.target.host]: { caFile: t.target.caFile } },
                };
                const run = await ours([{ source: src, target: dest }], options);
                if (run.digests[0] !== desc.digest) throw new Error(`digest changed: ${run.digests[0]} != ${desc.digest}`);
                perGiB.ours.push(run.cpuMs / 1000 / (bytes / GiB));
                sysPerGiB.ours.push(run.sysMs / 1000 / (bytes / GiB));
                wall.ours.push(run.ms);
            } else {
                const srcArgs = ["--src-authfile", srcAuth, "--src-cert-dir", source.certDir!];
                const run = await skopeo(["copy", ...srcArgs, ...t.skopeoDest, `docker://${src}`, `docker://${dest}`]);
                perGiB.skopeo.push(run.cpuMs / 1000 / (bytes / GiB));
                sysPerGiB.skopeo.push(run.sysMs / 1000 / (bytes / GiB));
                wall.skopeo.push(run.ms);
            }
        });
        const [o, s] = [median(perGiB.ours), median(perGiB.skopeo)];
        console.log(`\n5. CPU per byte: the ${fmt(bytes / MiB, 1)} MiB image, source and target TLS + htpasswd, ${ROUNDS} rounds`);
        console.log(`   load average before: ${loadBefore}, after: ${loadAverage()}`);
        console.log(
            `   ours   CPU s/GiB: ${perGiB.ours.map((x) => fmt(x)).join(", ")}  median ${fmt(o)} (system ${fmt(median(sysPerGiB.ours))})`,
        );
        console.log(
            `   skopeo CPU s/GiB: ${perGiB.skopeo.map((x) => fmt(x)).join(", ")}  median ${fmt(s)} (system ${fmt(median(sysPerGiB.skopeo))})`,
        );
        console.log(
            `   wall ms: ours ${wall.ours.map((x) => fmt(x, 0)).join(", ")}; skopeo ${wall.skopeo.map((x) => fmt(x, 0)).join(", ")}; skopeo / ours = ${fmt(median(wall.skopeo) / median(wall.ours))}`,
        );
        console.log(`   CPU ratio ours / skopeo = ${fmt(o / s)}  (goal <= 1.0)`);
    } finally {
        await source.stop();
    }
}

/** Runs the built CLI as a user would (`node dist/cli/main.js …`); wall ms. */
async function runCli(cli: string, args: string[]): Promise<number> {
    const t0 = performance.now();
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (c: Buffer) => (stderr += c));
        child.on("close", (code) => resolve({ code, stderr }));
    });
    const ms = performance.now() - t0;
    if (result.code !== 0) throw new Error(`${cli} ${args.join(" ")}: exit ${result.code}: ${result.stderr}`);
    return ms;
}

/** Builds the package as `npm run build` does, into .tmp (so the bench measures the JavaScript users run). */
function buildCli(): string {
    const outDir = path.join(__dirname, "..", ".tmp", "bench-dist");
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", outDir], {
        cwd: path.join(__dirname, ".."),
        stdio: "inherit",
    });
    return path.join(outDir, "cli", "main.js");
}

async function helperSet(work: string, source: RunningRegistry, cli: string): Promise<void> {
    const { set, syncFile } = await pushHelperSet(work, source, source.host);
    const oursMs: number[] = [];
    const skopeoMs: number[] = [];
    const rerunMs: number[] = [];
    const cliNoopMs: number[] = [];
    const skopeoNoopMs: number[] = [];
    await alternateRounds(ROUNDS, ["skopeo", "ours"], work, source, async (side, t) => {
        if (side === "ours") {
            const plan = setPlan(set, source.host, t);
            oursMs.push((await ours(plan, t.options)).ms);
            for (let i = 0; i < 3; i++) rerunMs.push((await ours(plan, t.options)).ms / plan.length);
            // The whole command as a user runs it: process start, argument checks, the copy, exit.
            const args = ["mirror", "--to", `${t.target.host}/mirror`, "--insecure", source.host, "--ca-file", t.target.caFile!];
            for (const { repository, tag } of set) args.push("--image", `${source.host}/${repository}:${tag}`);
            for (let i = 0; i < 3; i++) cliNoopMs.push(await runCli(cli, [...args, "--auth-file", t.authFile]));
        } else {
            const sync = skopeoSyncArgs(syncFile, t);
            skopeoMs.push((await skopeo(sync)).ms);
            for (let i = 0; i < 3; i++) skopeoNoopMs.push((await skopeo(sync)).ms);
        }
    });
    const [o, s] = [median(oursMs), median(skopeoMs)];
    console.log(`\n2. helper-like set: ${set.length} images (3 two-platform indexes), copied into an empty target`);
    console.log(`   ours ms: ${oursMs.map((x) => fmt(x, 0)).join(", ")}  median ${fmt(o, 0)}`);
    console.log(`   skopeo sync ms: ${skopeoMs.map((x) => fmt(x, 0)).join(", ")}  median ${fmt(s, 0)}`);
    console.log(`   ratio skopeo sync / ours = ${fmt(s / o)}  (target >= 2.0)`);
    console.log(
        `\n3. re-run with nothing changed: ${rerunMs.map((x) => fmt(x, 1)).join(", ")} ms per image, median ${fmt(median(rerunMs), 1)}  (target <= 50)`,
    );
    const [c, n] = [median(cliNoopMs), median(skopeoNoopMs)];
    console.log(`\n4. no-op re-sync of the ${set.length} images, the whole command (node dist/cli/main.js mirror … vs skopeo sync)`);
    console.log(`   ours ms: ${cliNoopMs.map((x) => fmt(x, 0)).join(", ")}  median ${fmt(c, 0)} (${fmt(c / set.length, 1)} per image)`);
    console.log(
        `   skopeo sync ms: ${skopeoNoopMs.map((x) => fmt(x, 0)).join(", ")}  median ${fmt(n, 0)} (${fmt(n / set.length, 1)} per image)`,
    );
    console.log(`   ratio ours / skopeo sync = ${fmt(c / n)}  (goal <= 0.5)`);
}

async function main(): Promise<void> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-bench-"));
    const source = await startRegistry();
    const started = performance.now();
    try {
        console.log(`mirror bench: node ${process.version}, ${os.cpus().length} CPUs, ${(await runSkopeo(["--version"])).stdout.trim()}`);
        console.log(`load average at start: ${loadAverage()} (other work on the machine skews every figure)`);
        const only = process.env.BENCH_ONLY;
        const part = (n: number) => !only || only.split(",").includes(String(n));
        if (part(1)) await bigImage(work, source);
        if (part(2) || part(3) || part(4)) await helperSet(work, source, buildCli());
        if (part(5)) await cpuPerByte(work);
        console.log(`\ntotal ${fmt((performance.now() - started) / 1000, 1)} s; load average at end: ${loadAverage()}`);
    } finally {
        await source.stop();
        fs.rmSync(work, { recursive: true, force: true });
    }
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
