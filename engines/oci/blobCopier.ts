/**
 * Copies blobs into target repositories, cheapest way first: skip (the target has it), mount (the same registry holds
 * it in another repository), stream (source GET piped through a digest check into one target PUT, no temp files).
 * A blob needed twice in a run is copied once; another repository of the same target registry then mounts it.
 */
import { pipeline } from "node:stream";
import type { Limiter } from "./limiter";
import type { Descriptor } from "./manifest";
import type { RegistryClient } from "./registryClient";
import { withRetry, type RetryListener, type RetryPolicy } from "./retry";
import type { BlobOutcome, ProgressEvent } from "./types";
import { uploadResumable } from "./blobUpload";
import { openRangedBlob } from "./rangedBlob";
import { createDigestVerifier } from "./verify";

/** A repository of a registry. */
export interface RepositoryEndpoint {
    readonly client: RegistryClient;
    readonly repository: string;
}

/** Shared state and settings of a run. */
export interface BlobCopierOptions {
    readonly limiter: Limiter;
    readonly retry: RetryPolicy;
    readonly onRetry?: RetryListener;
    readonly emit: (event: ProgressEvent) => void;
    /** Bytes per ranged part of a large blob download (default `DEFAULT_PART_SIZE`, 8 MiB). */
    readonly partSize?: number;
}

const PROGRESS_STEP = 1024 * 1024;

/** Blob transfers of one run. */
export class BlobCopier {
    /** `<target host>|<repository>|<digest>` → the transfer, so concurrent images share it. */
    private readonly inFlight: Map<string, Promise<BlobOutcome>>;
    /** `<target host>|<digest>` → the first repository of the run that receives it: a mount source for the others. */
    private readonly firstCopy: Map<string, { readonly repository: string; readonly done: Promise<BlobOutcome> }>;

    constructor(private readonly options: BlobCopierOptions) {
        // Fields are set here, not by initializers: Pulumi's closure serialization (the image mirror provider) keeps
        // a class's constructor but drops its field initializers.
        this.inFlight = new Map();
        this.firstCopy = new Map();
    }

    /** Makes `blob` present in `target`; resolves with how. A blob another image already brought counts as skipped. */
    copy(blob: Descriptor, source: RepositoryEndpoint, target: RepositoryEndpoint, targetName: string): Promise<BlobOutcome> {
        const key = `${target.client.origin}|${target.repository}|${blob.digest}`;
        const shared = this.inFlight.get(key);
        if (shared) return shared.then(() => "skipped");
        const registryKey = `${target.client.origin}|${blob.digest}`;
        const earlier = this.firstCopy.get(registryKey);
        const transfer = this.transfer(blob, source, target, targetName, earlier);
        this.inFlight.set(key, transfer);
        if (!earlier) this.firstCopy.set(registryKey, { repository: target.repository, done: transfer });
        return transfer;
    }

    private async transfer(
        blob: Descriptor,
        source: RepositoryEndpoint,
        target: RepositoryEndpoint,
        targetName: string,
        earlier: { readonly repository: string; readonly done: Promise<BlobOutcome> } | undefined,
    ): Promise<BlobOutcome> {
        let mountFrom: string | undefined;
        if (source.client.origin === target.client.origin && source.repository !== target.repository) {
            mountFrom = source.repository;
        } else if (earlier && earlier.repository !== target.repository) {
            // Wait outside the limiter (holding a slot while waiting could deadlock a full limiter), then mount.
            await earlier.done.catch(() => undefined);
            mountFrom = earlier.repository;
        }
        // Larger blobs first: the run's tail is then made of small transfers.
        const outcome = await this.options.limiter.run(() => this.transferNow(blob, source, target, targetName, mountFrom), blob.size);
        this.options.emit({ type: "blob-done", target: targetName, digest: blob.digest, size: blob.size, outcome });
        return outcome;
    }

    private async transferNow(
        blob: Descriptor,
        source: RepositoryEndpoint,
        target: RepositoryEndpoint,
        targetName: string,
        mountFrom: string | undefined,
    ): Promise<BlobOutcome> {
        const dst = target.client;
        if (await dst.hasBlob(target.repository, blob.digest)) return "skipped";
        let location: string | undefined;
        if (mountFrom !== undefined) {
            location = await dst.mountBlob(target.repository, blob.digest, mountFrom);
            if (location === undefined) return "mounted";
        }
        return withRetry<BlobOutcome>(
            async (attempt) => {
                // A connection cut after the last byte may still have committed the blob.
                if (attempt > 0 && (await dst.hasBlob(target.repository, blob.digest))) return "copied";
                // The session is opened while the download starts: a far source's first byte takes a round trip anyway.
                const upload = location !== undefined ? Promise.resolve(location) : dst.startUpload(target.repository);
                location = undefined; // a retry opens a fresh session
                try {
                    await this.stream(blob, source, target, upload, targetName);
                } catch (err) {
                    void upload.then(
                        (at) => dst.cancelUpload(target.repository, at),
                        () => undefined,
                    );
                    throw err;
                }
                return "copied";
            },
            this.options.retry,
            this.options.onRetry,
            `copy ${source.client.registry}/${source.repository} blob ${blob.digest} to ${target.client.registry}/${target.repository}`,
        );
    }

    private async stream(
        blob: Descriptor,
        source: RepositoryEndpoint,
        target: RepositoryEndpoint,
        upload: Promise<string>,
        targetName: string,
    ): Promise<void> {
        const download = openRangedBlob({
            size: blob.size,
            open: (range) => source.client.openBlob(source.repository, blob.digest, range),
            trySlot: () => this.options.limiter.tryAcquire(),
            retry: this.options.retry,
            onRetry: this.options.onRetry,
            what: `GET ${source.client.registry}/${source.repository} blob ${blob.digest}`,
            partSize: this.options.partSize,
        });
        let transferred = 0;
        let reported = 0;
        const verifier = createDigestVerifier(
            blob.digest,
            blob.size,
            `${source.client.registry}/${source.repository} blob ${blob.digest}`,
            (n) => {
                transferred += n;
                if (transferred - reported >= PROGRESS_STEP || transferred === blob.size) {
                    reported = transferred;
                    this.options.emit({ type: "blob-progress", target: targetName, digest: blob.digest, size: blob.size, transferred });
                }
            },
        );
        // pipeline destroys both sides on any failure: a failed download aborts the upload, a failed upload stops the
        // download's requests.
        pipeline(download.body, verifier, () => undefined);
        try {
            const location = await upload;
            if (blob.size === 0) {
                await target.client.finishUpload(target.repository, location, blob.digest, blob.size, verifier);
            } else {
                await uploadResumable({
                    client: target.client,
                    repository: target.repository,
                    location,
                    digest: blob.digest,
                    size: blob.size,
                    body: verifier,
                    retry: this.options.retry,
                    onRetry: this.options.onRetry,
                    what: `upload ${target.client.registry}/${target.repository} blob ${blob.digest}`,
                });
            }
        } finally {
            download.body.destroy();
            // No request outlives this blob's outcome.
            await download.settled;
        }
    }
}
