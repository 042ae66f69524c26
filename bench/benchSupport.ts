/** What both mirror benchmarks share: medians, skopeo runs timed with their CPU, fresh TLS + htpasswd targets, our copier timed. */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { mirrorImages, type MirrorOptions } from "../components/mirror";
import { startRegistry, type RunningRegistry } from "../test/support/registry";

export const USER = "bench";
export const PASSWORD = "bench-pass";
export const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
export const fmt = (n: number, d = 2) => n.toFixed(d);

/** Runs skopeo; wall ms and CPU ms (user + sys, from bash's `time`). */
export async function skopeo(args: string[]): Promise<{ ms: number; cpuMs: number }> {
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
    return { ms, cpuMs: (user + sys) * 1000 };
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
): Promise<{ ms: number; cpuMs: number; digests: string[] }> {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const report = await mirrorImages(plan, options);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (!report.ok) throw new Error(report.results.map((r) => r.error?.message).join("\n"));
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, digests: report.results.map((r) => r.digest!) };
}
