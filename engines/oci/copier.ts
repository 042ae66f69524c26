/**
 * Copies one image: the manifest tree is walked from the source, blobs go first, then child manifests (by digest),
 * then the tagged manifest last — so a failure anywhere leaves nothing tagged in the target. Manifest bytes are pushed
 * exactly as read, so digests are preserved.
 */
import type { BlobCopier, RepositoryEndpoint } from "./blobCopier";
import { RegistryError, withContext } from "./errors";
import { URGENT, type Limiter } from "./limiter";
import { formatPlatform, isForeignLayer, parseManifest, type Descriptor, type ParsedManifest, type Platform } from "./manifest";
import { filterIndex } from "./platforms";
import { formatRemoteImage, manifestReference, parseRemoteImage, type RemoteImage } from "./reference";
import type { FetchedManifest, RegistryClient } from "./registryClient";
import type { BlobOutcome, ImageResult, MirrorPlanItem, ProgressEvent } from "./types";

/** What an image copy needs from its run. */
export interface ImageCopyContext {
    readonly blobs: BlobCopier;
    readonly limiter: Limiter;
    readonly platforms?: readonly Platform[];
    readonly dryRun: boolean;
    readonly clientFor: (image: RemoteImage) => RegistryClient;
    readonly emit: (event: ProgressEvent) => void;
}

type Tally = { copied: number; mounted: number; skipped: number; bytes: number };

/** Copies `item.source` to `item.target`; never throws (a failure is a result with `status: "failed"`). */
export async function copyImage(item: MirrorPlanItem, ctx: ImageCopyContext): Promise<ImageResult> {
    const started = performance.now();
    const tally: Tally = { copied: 0, mounted: 0, skipped: 0, bytes: 0 };
    const finish = (fields: Partial<ImageResult> & Pick<ImageResult, "status">): ImageResult => ({
        source: item.source,
        target: item.target,
        ...fields,
        blobs: { copied: tally.copied, mounted: tally.mounted, skipped: tally.skipped },
        bytes: tally.bytes,
        durationMs: performance.now() - started,
    });
    ctx.emit({ type: "image-start", source: item.source, target: item.target });
    let result: ImageResult;
    try {
        result = await copyTree(item, ctx, tally, finish);
    } catch (err) {
        result = finish({ status: "failed", error: withContext(err, `${item.source} -> ${item.target}`) });
    }
    ctx.emit({ type: "image-done", result });
    return result;
}

async function copyTree(
    item: MirrorPlanItem,
    ctx: ImageCopyContext,
    tally: Tally,
    finish: (fields: Partial<ImageResult> & Pick<ImageResult, "status">) => ImageResult,
): Promise<ImageResult> {
    const src = parseRemoteImage(item.source);
    const dst = parseRemoteImage(item.target);
    const source: RepositoryEndpoint = { client: ctx.clientFor(src), repository: src.repository };
    const target: RepositoryEndpoint = { client: ctx.clientFor(dst), repository: dst.repository };
    const targetRef = dst.tag ?? dst.digest!;
    const limited = <T>(fn: () => Promise<T>) => ctx.limiter.run(fn, URGENT);

    // Fast path for re-runs: two HEADs at once, and no manifest download (Docker Hub counts GETs against its pull limit).
    // The near target usually answers first: when it lacks the image, the manifest is asked for at once, without
    // waiting for the source's HEAD (a round trip of a far link saved). Both are settled before the result: no
    // request outlives it.
    const sourceHead = limited(() => source.client.headManifest(src.repository, manifestReference(src)));
    // Handled here: it may fail (an untrusted certificate) while the target's answer is awaited; it is read below.
    sourceHead.catch(() => undefined);
    const targetHead = ctx.platforms ? Promise.resolve(undefined) : limited(() => target.client.headManifest(dst.repository, targetRef));
    const [present] = await Promise.allSettled([targetHead]);
    let manifest: FetchedManifest;
    if (present.status === "fulfilled" && present.value === undefined && !ctx.platforms) {
        const [fetched] = await settleAll([
            limited(() => source.client.getManifest(src.repository, manifestReference(src))).catch(async (err) => {
                // A source without the image: say so, as the HEAD would have.
                if (err instanceof RegistryError && err.status === 404) throw notFound(src);
                throw err;
            }),
            sourceHead,
        ]);
        manifest = fetched as FetchedManifest;
    } else {
        const [head, there] = await settleAll([sourceHead, targetHead]);
        if (!head) throw notFound(src);
        if (there?.digest === head.digest)
            return finish({ status: "skipped", digest: head.digest, sourceDigest: head.digest, mediaType: there.mediaType });
        manifest = await limited(() => source.client.getManifest(src.repository, head.digest));
    }
    const parsed = parseManifest(manifest.bytes, manifest.mediaType, item.source);
    const pushed =
        parsed.kind === "index"
            ? filterIndex(manifest.bytes, manifest.digest, parsed.manifests, ctx.platforms, item.source)
            : { bytes: manifest.bytes, digest: manifest.digest, children: [] as Descriptor[], rewritten: false };
    const platforms = parsed.kind === "index" ? pushed.children.map((c) => formatPlatform(c.platform)) : undefined;
    const done = (status: ImageResult["status"]) =>
        finish({
            status,
            digest: pushed.digest,
            sourceDigest: manifest.digest,
            mediaType: parsed.mediaType,
            platforms,
            indexRewritten: pushed.rewritten,
        });
    if (dst.digest !== undefined && dst.digest !== pushed.digest) {
        throw new Error(`${item.target}: pins ${dst.digest}, but the source resolves to ${pushed.digest}`);
    }
    if (ctx.platforms) {
        const there = await limited(() => target.client.headManifest(dst.repository, targetRef));
        if (there?.digest === pushed.digest) return done("skipped");
    }
    if (ctx.dryRun) return done("would-copy");

    const walk = { ctx, source, target, targetName: item.target, tally };
    if (parsed.kind === "index") await settleAll(pushed.children.map((child) => copyChild(child, walk)));
    else await copyBlobs(parsed, walk);
    await limited(() => target.client.putManifest(dst.repository, targetRef, pushed.bytes, parsed.mediaType));
    return done("copied");
}

interface Walk {
    readonly ctx: ImageCopyContext;
    readonly source: RepositoryEndpoint;
    readonly target: RepositoryEndpoint;
    readonly targetName: string;
    readonly tally: Tally;
}

/** A manifest listed by an index: its own content first, then itself, by digest (untagged). */
async function copyChild(child: Descriptor, walk: Walk): Promise<void> {
    const { ctx, source, target } = walk;
    const there = await ctx.limiter.run(() => target.client.headManifest(target.repository, child.digest), URGENT);
    if (there?.digest === child.digest) return; // a complete earlier copy: its blobs are there too
    const manifest = await ctx.limiter.run(() => source.client.getManifest(source.repository, child.digest), URGENT);
    const parsed = parseManifest(manifest.bytes, child.mediaType || manifest.mediaType, `${walk.targetName} manifest ${child.digest}`);
    if (parsed.kind === "index") await settleAll(parsed.manifests.map((grandchild) => copyChild(grandchild, walk)));
    else await copyBlobs(parsed, walk);
    await ctx.limiter.run(() => target.client.putManifest(target.repository, child.digest, manifest.bytes, parsed.mediaType), URGENT);
}

async function copyBlobs(manifest: ParsedManifest & { kind: "image" }, walk: Walk): Promise<void> {
    const blobs = [manifest.config, ...manifest.layers].filter((d) => !isForeignLayer(d));
    const unique = [...new Map(blobs.map((d) => [d.digest, d])).values()];
    const outcomes = await settleAll(unique.map((d) => walk.ctx.blobs.copy(d, walk.source, walk.target, walk.targetName)));
    outcomes.forEach((outcome: BlobOutcome, i) => {
        walk.tally[outcome]++;
        if (outcome === "copied") walk.tally.bytes += unique[i].size;
    });
}

function notFound(src: RemoteImage): RegistryError {
    return new RegistryError(`${formatRemoteImage(src)}: not found in the source registry`, 404, ["MANIFEST_UNKNOWN"]);
}

/** Like Promise.all, but waits for every task before failing: no transfer outlives its image's result. */
async function settleAll<T>(tasks: Promise<T>[]): Promise<T[]> {
    const settled = await Promise.allSettled(tasks);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) throw failure.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
