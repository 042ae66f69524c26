/**
 * What the `mirror` command prints while it runs: on a terminal, finished images as lines and one status line redrawn
 * in place; otherwise (a pipe, a CI log) plain lines only: one per finished image, a progress line every few seconds,
 * and retries compacted (the first of a kind, then a count).
 */
import { CertificateError, type ImageResult, type MirrorReport, type ProgressEvent } from "../engines/oci";

/** Where output goes; `isTTY` selects the redrawn status line. */
export interface Output {
    write(text: string): void;
    readonly isTTY?: boolean;
}

/** `1 image`, `6 images`: a count with its noun in the right number. */
export function count(n: number, noun: string): string {
    return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** `1.5 MB`, `312 kB`, `12 B`. */
export function formatBytes(bytes: number): string {
    if (bytes < 1000) return `${bytes} B`;
    const units = ["kB", "MB", "GB", "TB"];
    let value = bytes / 1000;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
        value /= 1000;
        unit++;
    }
    return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** One finished image: `copied   <source> → <target>  <digest>  (bytes, time)`, or the error. */
export function formatResult(r: ImageResult): string {
    const label = { copied: "copied", skipped: "up to date", "would-copy": "would copy", failed: "FAILED" }[r.status];
    const head = `${label.padEnd(10)} ${r.source} → ${r.target}`;
    if (r.status === "failed") return `${head}\n           ${failureLine(r)}`;
    const extra = r.status === "copied" ? `  (${formatBytes(r.bytes)}, ${(r.durationMs / 1000).toFixed(1)} s)` : "";
    return `${head}  ${r.digest ?? ""}${extra}`;
}

/**
 * Why an image failed, in one line: without the `<source> -> <target>: ` the engine puts in front (the FAILED line
 * names both already), and for a registry whose certificate is not trusted, the registry and the option that fixes it.
 */
function failureLine(r: ImageResult): string {
    for (let e: unknown = r.error, depth = 0; e && depth < 5; depth++, e = (e as { cause?: unknown }).cause) {
        if (e instanceof CertificateError) {
            // The engine's text: `<host>: the registry's TLS certificate is not trusted (<CODE>: <detail>); … (caFile)`.
            const detail = /is not trusted \((.*)\); trust its CA/.exec(e.message)?.[1] ?? e.code;
            return `${e.host}: the registry's TLS certificate is not trusted (${detail}); give the CA that signed it with --ca-file ${e.host}=<ca.pem>`;
        }
    }
    const message = r.error?.message ?? "failed";
    const prefix = `${r.source} -> ${r.target}: `;
    return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/**
 * The offline dry run: every source → target the mirror needs, worked out from the table, the values file and the
 * images given; no registry is contacted.
 */
export function formatPlan(plan: readonly { readonly source: string; readonly target: string }[], to: string): string {
    const lines = plan.map((p) => `${p.source} → ${p.target}\n`).join("");
    return (
        `${count(plan.length, "image")} for ${to} (dry run: no registry contacted):\n${lines}` +
        "to see which are in the mirror already: --check-targets instead of --dry-run; to copy them: without --dry-run\n"
    );
}

/** The summary line: copied / skipped / failed / bytes / time (or, for a dry run, what would be copied). */
export function formatSummary(report: MirrorReport, dryRun: boolean): string {
    const seconds = (report.durationMs / 1000).toFixed(1);
    if (dryRun) {
        const would = report.results.filter((r) => r.status === "would-copy").length;
        return `dry run: ${would} would be copied, ${report.skipped} up to date, ${report.failed} failed (${seconds} s); nothing was written`;
    }
    return `${report.copied} copied, ${report.skipped} skipped, ${report.failed} failed, ${formatBytes(report.bytes)} uploaded in ${seconds} s`;
}

/** How the printer paces itself. */
export interface ProgressOptions {
    /** Without a terminal: a progress line this often (ms); 0 = none. Default 5000. */
    readonly intervalMs?: number;
    /** Retries of one registry failing the same way within this window (ms) print once, then as a count. Default 10 000. */
    readonly retryWindowMs?: number;
    /** Where failed images go (with the reason); default `out`. */
    readonly err?: Output;
}

/** `127.0.0.1:5000` / `registry.example.com` out of a retry message, and the reason after its last colon. */
function retryKey(message: string): { key: string; reason: string } {
    const host = /(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?/i.exec(message)?.[0] ?? "";
    const reason = message.slice(message.lastIndexOf(": ") + 2);
    return { key: `${host} ${reason}`, reason: host ? `${host}: ${reason}` : reason };
}

/**
 * Turns progress events into output; call `done()` before printing the summary. On a terminal a status line is
 * redrawn in place; otherwise a plain line every `intervalMs` tells bytes, rate and images done. Retries are
 * compacted: the first of a kind (registry and reason) is printed, repeats within the window only counted.
 */
export function progressPrinter(
    out: Output,
    total: number,
    options: ProgressOptions = {},
): { onProgress(event: ProgressEvent): void; done(): void } {
    const intervalMs = options.intervalMs ?? 5000;
    const retryWindowMs = options.retryWindowMs ?? 10_000;
    const started = Date.now();
    let finished = 0;
    let bytes = 0; // uploaded: copied blobs
    let moved = 0; // downloaded so far, blobs in progress included
    let current = "";
    let lastDraw = 0;
    let drawn = false;
    const seen = new Map<string, number>(); // blob → bytes transferred so far
    const retries = new Map<string, { reason: string; last: number; suppressed: number }>();
    let lastTick = { at: started, moved: 0 };
    const clear = () => {
        if (drawn) out.write("\r\x1b[K");
        drawn = false;
    };
    const draw = (force: boolean) => {
        if (!out.isTTY) return;
        const now = Date.now();
        if (!force && now - lastDraw < 100) return;
        lastDraw = now;
        clear();
        out.write(`[${finished}/${total}] ${formatBytes(bytes)} uploaded  ${current}`.slice(0, 150));
        drawn = true;
    };
    const line = (text: string, to: Output = out) => {
        clear();
        to.write(`${text}\n`);
        draw(true);
    };
    const flushRetries = (olderThan: number) => {
        for (const [key, r] of retries) {
            if (r.last > olderThan) continue;
            if (r.suppressed > 0) line(`retried ${count(r.suppressed, "more time")}: ${r.reason}`);
            retries.delete(key);
        }
    };
    const tick = () => {
        const now = Date.now();
        const rate = ((moved - lastTick.moved) / Math.max(1, now - lastTick.at)) * 1000;
        lastTick = { at: now, moved };
        flushRetries(now - retryWindowMs);
        line(
            `progress: ${finished}/${count(total, "image")} done, ${formatBytes(moved)} transferred, ${formatBytes(rate)}/s, ` +
                `${((now - started) / 1000).toFixed(0)} s`,
        );
    };
    const timer = !out.isTTY && intervalMs > 0 ? setInterval(tick, intervalMs) : undefined;
    timer?.unref();
    return {
        onProgress(event) {
            if (event.type === "image-start") {
                current = event.target;
                draw(false);
            } else if (event.type === "blob-progress") {
                const key = `${event.target}|${event.digest}`;
                moved += event.transferred - (seen.get(key) ?? 0);
                seen.set(key, event.transferred);
                current = `${event.target} ${formatBytes(event.transferred)}/${formatBytes(event.size)}`;
                draw(false);
            } else if (event.type === "blob-done") {
                if (event.outcome === "copied") bytes += event.size;
                draw(false);
            } else if (event.type === "retry") {
                const now = Date.now();
                const { key, reason } = retryKey(event.message);
                const earlier = retries.get(key);
                if (earlier && now - earlier.last < retryWindowMs) {
                    earlier.suppressed++;
                    earlier.last = now;
                    return;
                }
                if (earlier?.suppressed) line(`retried ${count(earlier.suppressed, "more time")}: ${earlier.reason}`);
                retries.set(key, { reason, last: now, suppressed: 0 });
                line(`retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)} s: ${event.message}`);
            } else if (event.type === "image-done") {
                finished++;
                line(formatResult(event.result), event.result.status === "failed" ? (options.err ?? out) : out);
            }
        },
        done() {
            if (timer) clearInterval(timer);
            flushRetries(Number.POSITIVE_INFINITY);
            clear();
        },
    };
}
