/**
 * What the `mirror` command prints while it runs: on a terminal, finished images as lines and one status line redrawn
 * in place; otherwise (a pipe, a CI log) plain lines only, one per finished image and one per retry.
 */
import type { ImageResult, MirrorReport, ProgressEvent } from "../components/mirror";

/** Where output goes; `isTTY` selects the redrawn status line. */
export interface Output {
    write(text: string): void;
    readonly isTTY?: boolean;
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
    if (r.status === "failed") return `${head}\n           ${r.error?.message ?? "failed"}`;
    const extra = r.status === "copied" ? `  (${formatBytes(r.bytes)}, ${(r.durationMs / 1000).toFixed(1)} s)` : "";
    return `${head}  ${r.digest ?? ""}${extra}`;
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

/** Turns progress events into output; call `done()` before printing the summary. */
export function progressPrinter(out: Output, total: number): { onProgress(event: ProgressEvent): void; done(): void } {
    let finished = 0;
    let bytes = 0;
    let current = "";
    let lastDraw = 0;
    let drawn = false;
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
    const line = (text: string) => {
        clear();
        out.write(`${text}\n`);
        draw(true);
    };
    return {
        onProgress(event) {
            if (event.type === "image-start") {
                current = event.target;
                draw(false);
            } else if (event.type === "blob-progress") {
                current = `${event.target} ${formatBytes(event.transferred)}/${formatBytes(event.size)}`;
                draw(false);
            } else if (event.type === "blob-done") {
                if (event.outcome === "copied") bytes += event.size;
                draw(false);
            } else if (event.type === "retry") {
                line(`retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)} s: ${event.message}`);
            } else if (event.type === "image-done") {
                finished++;
                line(formatResult(event.result));
            }
        },
        done() {
            clear();
        },
    };
}
