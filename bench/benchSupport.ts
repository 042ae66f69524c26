/**
 * What both mirror benchmarks share: medians, skopeo runs timed with their CPU, fresh TLS + htpasswd targets, rounds
 * alternating who goes first, the helper-like set pushed with its sync file, our copier timed.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { mirrorImages, type MirrorOptions } from "../engines/oci";
import { startRegistry, type RunningRegistry } from "../test/support/registry";
import { writeHelperSet } from "./mirrorFixtures";

export const USER = "bench";
export const PASSWORD = "bench-pass";
export const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
export const fmt = (n: number, d = 2) => n.toFixed(d);
/** The 1, 5 and 15 minute load averages: other work on the machine skews every figure. */
export const loadAverage = () =>
    os
        .loadavg()
        .map((x) => fmt(x))
        .join(" ");

/** Runs skopeo; wall ms, CPU ms (user + sys, from bash's `time`: skopeo's rusage) and its system part. */
export async function skopeo(args: string[]): Promise<{ ms: number; cpuMs: number; sysMs: number }> {
    const t0 = performance.now();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn("bash", ["-c", 'TIMEFORMAT="%U %S"; time skopeo "$@" >/dev/null', "bash", ...args], {
            stdio: ["ignore", "ignore", "pipe"],
        });
        let err = "";
        child.stderr.on("data", (c: Buffer) => (err += c));
        child.on("close", (c) => resolve({ code: c, stderr: err }));
    });
    const ms = performance.now() - t0;
    if (code !== 0) throw new Error(`skopeo ${args.join(" ")}: ${stderr}`);
    const [user, sys] = stderr.trim().split("\n").pop()!.split(" ").map(Number);
    return { ms, cpuMs: (user + sys) * 1000, sysMs: sys * 1000 };
}

/** A fresh TLS + htpasswd target, its docker config, and our options for it. */
export async function freshTarget(work: string, source: RunningRegistry) {
    const target = await startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } });
    const authFile = path.join(work, `auth-${target.host.replace(/\W/g, "_")}.json`);
    fs.writeFileSync(
        authFile,
        JSON.stringify({ auths: { [target.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString("base64") } } }),
    );
    const options: MirrorOptions = {
        auth: authFile,
        registries: { [source.host]: { insecure: true }, [target.host]: { caFile: target.caFile } },
    };
    const skopeoDest = ["--dest-authfile", authFile, "--dest-cert-dir", target.certDir!];
    return { target, authFile, options, skopeoDest };
}

/** Runs our copier in this process; wall ms and CPU ms of the process while it ran. */
export async function ours(
    plan: { source: string; target: string }[],
    options: MirrorOptions,
): Promise<{ ms: number; cpuMs: number; sysMs: number; digests: string[] }> {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const report = await mirrorImages(plan, options);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (!report.ok) throw new Error(report.results.map((r) => r.error?.message).join("\n"));
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, sysMs: cpu.system / 1000, digests: report.results.map((r) => r.digest!) };
}

/** A fresh target, as {@link freshTarget} makes it. */
export type FreshTarget = Awaited<ReturnType<typeof freshTarget>>;

/**
 * `rounds` rounds of `sides`, the order alternating each round (so page cache and CPU frequency favour neither), each
 * run against a fresh target that is stopped afterwards.
 */
export async function alternateRounds<Side extends string>(
    rounds: number,
    sides: readonly [Side, Side],
    work: string,
    source: RunningRegistry,
    run: (side: Side, target: FreshTarget) => Promise<void>,
): Promise<void> {
    for (let round = 0; round < rounds; round++) {
        for (const side of round % 2 === 0 ? sides : [sides[1], sides[0]]) {
            const t = await freshTarget(work, source);
            try {
                await run(side, t);
            } finally {
                await t.target.stop();
            }
        }
    }
}

/** An image of the helper-like set. */
export interface SetImage {
    readonly repository: string;
    readonly tag: string;
}

/**
 * Writes the helper-like set (`mirrorFixtures.writeHelperSet`), pushes it into `source` and writes skopeo's sync file
 * for it, read from `readFrom` (the source itself, or a proxy in front of it).
 */
export async function pushHelperSet(
    work: string,
    source: RunningRegistry,
    readFrom: string,
): Promise<{ set: SetImage[]; syncFile: string }> {
    const layout = path.join(work, "helpers");
    const set = await writeHelperSet(layout);
    for (const { repository, tag } of set) {
        const name = `${repository.replace(/\//g, "-")}-${tag}`;
        await skopeo(["copy", "--all", "--dest-tls-verify=false", `oci:${layout}:${name}`, `docker://${source.host}/${repository}:${tag}`]);
    }
    fs.rmSync(layout, { recursive: true, force: true });
    const images: Record<string, string[]> = {};
    for (const { repository, tag } of set) images[repository] = [...(images[repository] ?? []), tag];
    const syncFile = path.join(work, `sync-${readFrom.replace(/\W/g, "_")}.yaml`);
    fs.writeFileSync(syncFile, stringify({ [readFrom]: { "tls-verify": false, images } }));
    return { set, syncFile };
}

/** Our plan for the set: `<from>/<repository>:<tag>` to `<target>/mirror/<repository>:<tag>`. */
export function setPlan(set: readonly SetImage[], from: string, target: FreshTarget): { source: string; target: string }[] {
    return set.map(({ repository, tag }) => ({
        source: `${from}/${repository}:${tag}`,
        target: `${target.target.host}/mirror/${repository}:${tag}`,
    }));
}

/** `skopeo sync` of the set's sync file into the target's `mirror/` prefix. */
export function skopeoSyncArgs(syncFile: string, target: FreshTarget): string[] {
    return ["sync", "--all", "--src", "yaml", "--dest", "docker", ...target.skopeoDest, syncFile, `${target.target.host}/mirror`];
}
