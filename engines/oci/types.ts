/** The public shapes of a mirror run: what to copy, how, and what happened. */
import type { AuthInput } from "./credentials";
import type { RegistryConnection } from "./http";
import type { RetryPolicy } from "./retry";

/** One image to mirror: `source` is copied to `target` (both `[registry/]repository[:tag][@digest]`). */
export interface MirrorPlanItem {
    readonly source: string;
    readonly target: string;
}

/** How to run a mirror. Everything is optional. */
export interface MirrorOptions {
    /** Transfers (blobs and manifest requests, across all images) at once. Default 16. */
    readonly concurrency?: number;
    /** `os/arch[/variant]` to keep from indexes; default: every platform, the index copied byte for byte. */
    readonly platforms?: readonly string[];
    /** Logins: a docker config object (`{"auths":{…}}`, like image-repo-secret) or the path of one. */
    readonly auth?: AuthInput;
    /** Per registry host (`harbor.example.com`, `127.0.0.1:5000`): plain HTTP or an extra CA. */
    readonly registries?: Readonly<Record<string, RegistryConnection>>;
    readonly retry?: Partial<RetryPolicy>;
    /** Idle timeout of one transfer before it is retried, ms. Default 60 000. */
    readonly timeoutMs?: number;
    /**
     * Total deadline of every small answer (its head, and the whole of a manifest, token, API or error body) before it
     * fails (and is retried), ms. Blob bodies have the idle timeout only. Default 60 000.
     */
    readonly deadlineMs?: number;
    /**
     * Blobs larger than this are downloaded as HTTP ranges of this size over several connections (spare concurrency
     * only), each part resumed from its first missing byte when cut. Default 8 MiB.
     */
    readonly partSize?: number;
    /** Only find out what would be copied: reads both registries, writes nothing. */
    readonly dryRun?: boolean;
    /** Progress of the run; a listener that throws is ignored. */
    readonly onProgress?: (event: ProgressEvent) => void;
}

/** What happened to a blob. */
export type BlobOutcome = "copied" | "mounted" | "skipped";

/** Progress events, in the order they happen. */
export type ProgressEvent =
    | { readonly type: "image-start"; readonly source: string; readonly target: string }
    | {
          readonly type: "blob-progress";
          readonly target: string;
          readonly digest: string;
          readonly size: number;
          readonly transferred: number;
      }
    | { readonly type: "blob-done"; readonly target: string; readonly digest: string; readonly size: number; readonly outcome: BlobOutcome }
    | { readonly type: "retry"; readonly attempt: number; readonly delayMs: number; readonly message: string }
    | { readonly type: "image-done"; readonly result: ImageResult };

/** The outcome for one plan item. */
export interface ImageResult {
    readonly source: string;
    readonly target: string;
    /** `would-copy` only in dry runs; `skipped` means the target already had this exact manifest. */
    readonly status: "copied" | "skipped" | "would-copy" | "failed";
    /** Digest the target tag points to (or will, in a dry run): pin images by it. */
    readonly digest?: string;
    /** Digest of the source manifest; equal to `digest` unless a platform filter rewrote an index. */
    readonly sourceDigest?: string;
    readonly mediaType?: string;
    /** Platforms copied, for indexes. */
    readonly platforms?: readonly string[];
    /** True when a platform filter produced a smaller index (with a new digest). */
    readonly indexRewritten?: boolean;
    readonly blobs: { readonly copied: number; readonly mounted: number; readonly skipped: number };
    /** Blob bytes uploaded to the target (mounted and skipped blobs count nothing). */
    readonly bytes: number;
    readonly durationMs: number;
    readonly error?: Error;
}

/** The outcome of a run. `ok` is false when any image failed. */
export interface MirrorReport {
    readonly results: readonly ImageResult[];
    readonly copied: number;
    readonly skipped: number;
    readonly failed: number;
    readonly bytes: number;
    readonly durationMs: number;
    readonly ok: boolean;
}
