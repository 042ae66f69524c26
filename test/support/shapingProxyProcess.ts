// The shaping proxy in a process of its own, so that its pacing timers and copying do not share an event loop (and a
// CPU) with the copier being measured — skopeo, a separate process, would otherwise get an unfair advantage.
import { fork } from "node:child_process";
import * as path from "node:path";
import type { ShapingOptions } from "./shapingProxy";

export interface ShapingProxyProcess {
    readonly host: string;
    /** Blob bytes sent per digest and connections cut, as counted by the proxy. */
    stats(): Promise<{ sentByDigest: Record<string, number>; cuts: number }>;
    stop(): Promise<void>;
}

/** Forks `shapingProxyChild.ts` (under tsx) and waits for its address. */
export async function startShapingProxyProcess(upstream: string, options: ShapingOptions): Promise<ShapingProxyProcess> {
    const child = fork(path.join(__dirname, "shapingProxyChild.ts"), [upstream, JSON.stringify(options)], {
        execArgv: ["--import", "tsx"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const host = await new Promise<string>((resolve, reject) => {
        child.once("message", (m) => resolve((m as { host: string }).host));
        child.once("exit", (code) => reject(new Error(`shaping proxy exited with ${code}`)));
    });
    return {
        host,
        stats: () =>
            new Promise((resolve) => {
                child.once("message", (m) => resolve(m as { sentByDigest: Record<string, number>; cuts: number }));
                child.send("stats");
            }),
        stop: () =>
            new Promise((resolve) => {
                child.once("exit", () => resolve());
                child.kill();
            }),
    };
}
