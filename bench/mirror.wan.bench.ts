/**
 * npm run bench:mirror:wan — our copier against Debian's skopeo over an emulated far link, in one run: the source
 * registry sits behind a loopback shaping proxy (8 MB/s per connection, 32 MB/s in all, 40 ms added each way), the
 * proxy runs in a process of its own; the mirror is near (loopback, TLS + htpasswd, a fresh registry for every measured copy). Rounds alternate who goes first.
 *   1. one ~144 MiB, 3-layer image (110 + 24 + 10 MiB, one big base layer as real images have): `skopeo copy` ÷ ours
 *      (goal ≥ 2.5; the link allows about 3: skopeo's biggest layer rides one 8 MB/s connection, ours fills 32 MB/s);
 *   2. the 8-image helper-like set: `skopeo sync` ÷ ours (goal ≥ 4);
 *   3. a 100 MiB blob whose connection the proxy cuts once at 80 %: blob bytes the source sent ÷ the blob's size, for
 *      each tool (goal ≤ 1.10 for ours: resume, not restart).
 * Env: BENCH_ROUNDS (default 3). Prints figures; exits 1 only when a copy fails or a digest differs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { MirrorOptions } from "../engines/oci";
import { startRegistry, type RunningRegistry } from "../test/support/registry";
import type { ShapingOptions } from "../test/support/shapingProxy";
import {
    type ShapingProxyProcess as ShapingProxy,
    startShapingProxyProcess as startShapingProxy,
} from "../test/support/shapingProxyProcess";
import { runSkopeo } from "../test/support/skopeo";
import {
    alternateRounds,
    fmt,
    loadAverage,
    freshTarget,
    median,
    ours,
    pushHelperSet,
    setPlan,
    skopeo,
    skopeoSyncArgs,
} from "./benchSupport";
import { tagInLayout, writeImage } from "./mirrorFixtures";

const MiB = 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LINK: ShapingOptions = { perConnectionBytesPerSec: 8e6, totalBytesPerSec: 32e6, latencyMs: 40 };

const viaProxy = (options: MirrorOptions, proxy: ShapingProxy): MirrorOptions => ({
    ...options,
    registries: { ...options.registries, [proxy.host]: { insecure: true } },
});

async function push(layout: string, name: string, source: RunningRegistry, ref: string): Promise<void> {
    await skopeo(["copy", "--all", "--dest-tls-verify=false", `oci:${layout}:${name}`, `docker://${source.host}/${ref}`]);
}

async function singleImage(work: string, source: RunningRegistry, proxy: ShapingProxy): Promise<void> {
    const layout = path.join(work, "big");
    const desc = await writeImage(layout, [
        { seed: "wan-big-0", size: 110 * MiB },
        { seed: "wan-big-1", size: 24 * MiB },
        { seed: "wan-big-2", size: 10 * MiB },
    ]);
    tagInLayout(layout, "v1", desc);
    await push(layout, "v1", source, "bench/big:v1");
    const manifest = JSON.parse(fs.readFileSync(path.join(layout, "blobs", "sha256", desc.digest.slice(7)), "utf8"));
    const bytes = manifest.layers.reduce((n: number, l: { size: number }) => n + l.size, manifest.config.size);
    fs.rmSync(layout, { recursive: true, force: true });
    const src = `${proxy.host}/bench/big:v1`;
    const times = { ours: [] as number[], skopeo: [] as number[] };
    await alternateRounds(ROUNDS, ["skopeo", "ours"], work, source, async (side, t) => {
        const dest = `${t.target.host}/mirror/big:v1`;
        if (side === "ours") {
            const run = await ours([{ source: src, target: dest }], viaProxy(t.options, proxy));
            if (run.digests[0] !== desc.digest) throw new Error(`digest changed: ${run.digests[0]} != ${desc.digest}`);
            times.ours.push(run.ms);
        } else {
            times.skopeo.push(
                (await skopeo(["copy", "--src-tls-verify=false", ...t.skopeoDest, `docker://${src}`, `docker://${dest}`])).ms,
            );
        }
    });
    const [o, s] = [median(times.ours), median(times.skopeo)];
    console.log(`\n1. one ${fmt(bytes / MiB, 1)} MiB image (layers 110 + 24 + 10 MiB) from the far source, ${ROUNDS} rounds`);
    console.log(
        `   ours   s: ${times.ours.map((x) => fmt(x / 1000, 1)).join(", ")}  median ${fmt(o / 1000, 1)} (${fmt(bytes / 1e6 / (o / 1000), 1)} MB/s)`,
    );
    console.log(
        `   skopeo s: ${times.skopeo.map((x) => fmt(x / 1000, 1)).join(", ")}  median ${fmt(s / 1000, 1)} (${fmt(bytes / 1e6 / (s / 1000), 1)} MB/s)`,
    );
    console.log(`   ratio skopeo copy / ours = ${fmt(s / o)}  (goal >= 2.5)`);
}

async function helperSet(work: string, source: RunningRegistry, proxy: ShapingProxy): Promise<void> {
    const { set, syncFile } = await pushHelperSet(work, source, proxy.host);
    const times = { ours: [] as number[], skopeo: [] as number[] };
    await alternateRounds(ROUNDS, ["skopeo", "ours"], work, source, async (side, t) => {
        if (side === "ours") times.ours.push((await ours(setPlan(set, proxy.host, t), viaProxy(t.options, proxy))).ms);
        else times.skopeo.push((await skopeo(skopeoSyncArgs(syncFile, t))).ms);
    });
    const [o, s] = [median(times.ours), median(times.skopeo)];
    console.log(`\n2. helper-like set: ${set.length} images (3 two-platform indexes) from the far source, ${ROUNDS} rounds`);
    console.log(`   ours   s: ${times.ours.map((x) => fmt(x / 1000, 1)).join(", ")}  median ${fmt(o / 1000, 1)}`);
    console.log(`   skopeo sync s: ${times.skopeo.map((x) => fmt(x / 1000, 1)).join(", ")}  median ${fmt(s / 1000, 1)}`);
    console.log(`   ratio skopeo sync / ours = ${fmt(s / o)}  (goal >= 4)`);
}

async function cutBlob(work: string, source: RunningRegistry): Promise<void> {
    const layout = path.join(work, "cut");
    const desc = await writeImage(layout, [{ seed: "wan-cut", size: 100 * MiB }]);
    tagInLayout(layout, "v1", desc);
    await push(layout, "v1", source, "bench/cut:v1");
    const manifest = JSON.parse(fs.readFileSync(path.join(layout, "blobs", "sha256", desc.digest.slice(7)), "utf8"));
    const blob: { digest: string; size: number } = manifest.layers[0];
    fs.rmSync(layout, { recursive: true, force: true });
    const sent: Record<string, number> = {};
    for (const side of ["skopeo", "ours"]) {
        // A proxy of its own per run: the cut happens once, and the byte count starts at zero.
        const proxy = await startShapingProxy(source.host, {
            ...LINK,
            cut: { digest: blob.digest, afterBytes: Math.round(blob.size * 0.8) },
        });
        const t = await freshTarget(work, source);
        try {
            const src = `${proxy.host}/bench/cut:v1`;
            const dest = `${t.target.host}/mirror/cut:v1`;
            if (side === "ours") {
                const run = await ours([{ source: src, target: dest }], viaProxy(t.options, proxy));
                if (run.digests[0] !== desc.digest) throw new Error(`digest changed: ${run.digests[0]} != ${desc.digest}`);
            } else {
                // skopeo gives up on a cut unless told to retry (it then starts the blob over).
                await skopeo(["copy", "--retry-times=3", "--src-tls-verify=false", ...t.skopeoDest, `docker://${src}`, `docker://${dest}`]);
            }
            const stats = await proxy.stats();
            if (stats.cuts !== 1) throw new Error(`${side}: the proxy did not cut the blob's connection`);
            sent[side] = (stats.sentByDigest[blob.digest] ?? 0) / blob.size;
        } finally {
            await Promise.all([t.target.stop(), proxy.stop()]);
        }
    }
    console.log(`\n3. a ${fmt(blob.size / MiB, 0)} MiB blob, its connection cut once at 80 %: blob bytes the source sent / blob size`);
    console.log(`   ours ${fmt(sent.ours)}  skopeo ${fmt(sent.skopeo)}  (goal for ours <= 1.10)`);
}

async function main(): Promise<void> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-wan-bench-"));
    const source = await startRegistry();
    const proxy = await startShapingProxy(source.host, LINK);
    const started = performance.now();
    try {
        console.log(
            `mirror far-link bench: node ${process.version}, ${os.cpus().length} CPUs, ${(await runSkopeo(["--version"])).stdout.trim()}`,
        );
        console.log(
            `link: ${LINK.perConnectionBytesPerSec! / 1e6} MB/s per connection, ${LINK.totalBytesPerSec! / 1e6} MB/s in all, ${LINK.latencyMs} ms added each way (source far, mirror near)`,
        );
        console.log(`load average at start: ${loadAverage()}`);
        const only = process.env.BENCH_ONLY;
        if (!only || only.includes("1")) await singleImage(work, source, proxy);
        if (!only || only.includes("2")) await helperSet(work, source, proxy);
        if (!only || only.includes("3")) await cutBlob(work, source);
        console.log(`\ntotal ${fmt((performance.now() - started) / 1000, 1)} s; load average at end: ${loadAverage()}`);
    } finally {
        await proxy.stop();
        await source.stop();
        fs.rmSync(work, { recursive: true, force: true });
    }
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
