/**
 * `mirrorImages`: runs a mirror plan — every image at once, every transfer under one concurrency limit, one
 * keep-alive connection pool and one authenticated client per registry.
 */
import { BlobCopier } from "./blobCopier";
import { copyImage } from "./copier";
import { loadCredentials } from "./credentials";
import { HttpTransport } from "./http";
import { Limiter } from "./limiter";
import { parsePlatform } from "./platforms";
import { type RemoteImage } from "./reference";
import { RegistryClient } from "./registryClient";
import { withContext } from "./errors";
import { DEFAULT_RETRY_POLICY, type RetryListener } from "./retry";
import type { ImageResult, MirrorOptions, MirrorPlanItem, MirrorReport, ProgressEvent } from "./types";

/** Default number of concurrent transfers. */
export const DEFAULT_CONCURRENCY = 16;

/**
 * Copies every `source` of `plan` to its `target`. Resolves with a result per item (in plan order) even when some
 * fail — check `report.ok`; rejects only for invalid options.
 */
export async function mirrorImages(plan: readonly MirrorPlanItem[], options: MirrorOptions = {}): Promise<MirrorReport> {
    const started = performance.now();
    checkTargetsUnique(plan);
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    const limiter = new Limiter(concurrency);
    const platforms = options.platforms && options.platforms.length > 0 ? options.platforms.map(parsePlatform) : undefined;
    const credentials = loadCredentials(options.auth);
    const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const emit = (event: ProgressEvent) => {
        try {
            options.onProgress?.(event);
        } catch {
            // A broken progress display must not break a copy.
        }
    };
    const onRetry: RetryListener = (err, attempt, delayMs, what) =>
        emit({ type: "retry", attempt, delayMs: Math.round(delayMs), message: withContext(err, what).message });
    const transport = new HttpTransport({
        connections: options.registries,
        maxSockets: concurrency + 4,
        timeoutMs: options.timeoutMs,
        deadlineMs: options.deadlineMs,
    });
    const clients = new Map<string, RegistryClient>();
    const clientFor = (image: RemoteImage) => {
        let client = clients.get(image.host);
        if (!client) {
            client = new RegistryClient(image.registry, image.host, {
                transport,
                credentials: credentials.lookup(image.registry),
                retry,
                onRetry,
            });
            clients.set(image.host, client);
        }
        return client;
    };
    const blobs = new BlobCopier({ limiter, retry, onRetry, emit, partSize: options.partSize });
    try {
        const context = { blobs, limiter, platforms, dryRun: options.dryRun ?? false, clientFor, emit };
        // The same item listed twice is copied once.
        const running = new Map<string, Promise<ImageResult>>();
        const results = await Promise.all(
            plan.map((item) => {
                const key = `${item.source} ${item.target}`;
                if (!running.has(key)) running.set(key, copyImage(item, context));
                return running.get(key)!;
            }),
        );
        return summarize(results, performance.now() - started);
    } finally {
        transport.close();
    }
}

/** Totals of a list of results. */
export function summarize(results: readonly ImageResult[], durationMs: number): MirrorReport {
    const count = (status: ImageResult["status"]) => results.filter((r) => r.status === status).length;
    const failed = count("failed");
    return {
        results,
        copied: count("copied"),
        skipped: count("skipped"),
        failed,
        bytes: results.reduce((sum, r) => sum + r.bytes, 0),
        durationMs,
        ok: failed === 0,
    };
}

function checkTargetsUnique(plan: readonly MirrorPlanItem[]): void {
    const seen = new Map<string, string>();
    for (const { source, target } of plan) {
        const earlier = seen.get(target);
        if (earlier !== undefined && earlier !== source) {
            throw new Error(`mirror plan: ${target} is the target of both ${earlier} and ${source}`);
        }
        seen.set(target, source);
    }
}
