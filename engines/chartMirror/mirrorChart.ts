/**
 * `mirrorChart`: copies one pinned chart version from a classic Helm repository into an OCI registry as a Helm
 * artifact (`<target>:<version>`), so `helm pull oci://<target> --version <version>`, `helm.v4.Chart` and
 * `helm.v3.Release` read it from there. The package is checked against the index's digest before anything is pushed;
 * a tag already holding the same package is left alone.
 */
import { Readable } from "node:stream";
import { type AuthInput, loadCredentials, normalizeRegistryKey } from "../oci/credentials";
import { HttpTransport, type RegistryConnection } from "../oci/http";
import { parseRemoteImage } from "../oci/reference";
import { RegistryClient } from "../oci/registryClient";
import { DEFAULT_RETRY_POLICY, type RetryListener, type RetryPolicy } from "../oci/retry";
import { chartMetadata } from "./chartPackage";
import { type ArtifactBlob, chartTag, HELM_MEDIA_TYPES, helmArtifact } from "./helmArtifact";
import { downloadChart, findChartVersion } from "./helmRepository";

/** One chart version to mirror. */
export interface ChartMirrorItem {
    /** The Helm repository (`https://langgenius.github.io/dify-helm`): its `index.yaml` and packages. */
    readonly repository: string;
    /** Chart name in it (`dify`). */
    readonly chart: string;
    /** Pinned version (`3.9.1`). */
    readonly version: string;
    /** Where it goes, without tag: `<registry>/<path>` (see {@link chartMirrorTarget}). */
    readonly target: string;
}

/** How to run it. Everything is optional. */
export interface ChartMirrorOptions {
    /**
     * Logins, as a docker config object or the path of one: the mirror's, and the Helm repository's under its host
     * (`"charts.example.com": {"auth": …}`), sent to that origin only.
     */
    readonly auth?: AuthInput;
    /** Per host (the mirror's or the Helm repository's): `insecure` (plain HTTP to the mirror) or an extra CA. */
    readonly registries?: Readonly<Record<string, RegistryConnection>>;
    readonly retry?: Partial<RetryPolicy>;
    readonly onRetry?: RetryListener;
    /** Idle timeout of one request, ms. Default 60 000. */
    readonly timeoutMs?: number;
    /** Total deadline of every answer, ms. Default 60 000. */
    readonly deadlineMs?: number;
    /** Only find out whether it would be copied: reads the index and the mirror, downloads and writes nothing. */
    readonly dryRun?: boolean;
}

/** The outcome. */
export interface ChartMirrorResult {
    /** `<repository> <chart> <version>`. */
    readonly source: string;
    /** `<target>:<tag>`. */
    readonly target: string;
    /** `skipped`: the tag already holds this exact package; `would-copy` in dry runs only. */
    readonly status: "copied" | "skipped" | "would-copy" | "failed";
    /** The manifest's digest in the mirror (not known for `would-copy`). */
    readonly digest?: string;
    /** sha256 of the package (the index's digest), which is the artifact's chart layer. */
    readonly chartDigest?: string;
    /** Blob bytes uploaded. */
    readonly bytes: number;
    readonly durationMs: number;
    readonly error?: Error;
}

/** `<imageMirror>/charts/<chart>`: where the mirror keeps the chart, beside the images. */
export function chartMirrorTarget(imageMirror: string, chart = "dify"): string {
    return `${imageMirror.replace(/\/+$/, "")}/charts/${chart}`;
}

/** Copies the chart version; resolves with a result (status `failed` with the error), never rejects. */
export async function mirrorChart(item: ChartMirrorItem, options: ChartMirrorOptions = {}): Promise<ChartMirrorResult> {
    const started = performance.now();
    const tag = chartTag(item.version);
    const base = { source: `${item.repository} ${item.chart} ${item.version}`, target: `${item.target}:${tag}` };
    const transport = new HttpTransport({ connections: options.registries, timeoutMs: options.timeoutMs, deadlineMs: options.deadlineMs });
    try {
        const credentials = loadCredentials(options.auth);
        const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
        const target = parseRemoteImage(base.target);
        const client = new RegistryClient(target.registry, target.host, {
            transport,
            credentials: credentials.lookup(target.registry),
            retry,
            onRetry: options.onRetry,
        });
        const access = {
            transport,
            credentials: credentials.lookup(normalizeRegistryKey(item.repository)),
            retry,
            onRetry: options.onRetry,
        };
        const entry = await findChartVersion(item.repository, item.chart, item.version, access);
        const chartDigest = typeof entry.digest === "string" ? `sha256:${entry.digest}` : undefined;
        const present = await client.headManifest(target.repository, tag);
        if (present) {
            const held = await heldChartLayer(client, target.repository, tag);
            if (chartDigest !== undefined && held === chartDigest) {
                return {
                    ...base,
                    status: "skipped",
                    digest: present.digest,
                    chartDigest,
                    bytes: 0,
                    durationMs: performance.now() - started,
                };
            }
            throw new Error(
                `${base.target} already holds ${held ? `another package (${held})` : "something that is not a Helm chart"}, not ` +
                    `${chartDigest ?? "the index's package"}; a chart version is never overwritten: remove that tag to mirror it again`,
            );
        }
        if (options.dryRun) return { ...base, status: "would-copy", chartDigest, bytes: 0, durationMs: performance.now() - started };

        const tgz = await downloadChart(item.repository, entry, access);
        const metadata = chartMetadata(tgz, base.source);
        if (metadata.name !== item.chart || String(metadata.version) !== item.version) {
            throw new Error(`${base.source}: the package holds ${String(metadata.name)} ${String(metadata.version)}`);
        }
        const artifact = helmArtifact(tgz, metadata, typeof entry.created === "string" ? entry.created : undefined);
        let bytes = 0;
        for (const blob of [artifact.config, artifact.chart]) bytes += await pushBlob(client, target.repository, blob);
        const digest = await client.putManifest(target.repository, tag, artifact.manifest, HELM_MEDIA_TYPES.manifest);
        return { ...base, status: "copied", digest, chartDigest, bytes, durationMs: performance.now() - started };
    } catch (err) {
        return { ...base, status: "failed", error: err as Error, bytes: 0, durationMs: performance.now() - started };
    } finally {
        transport.close();
    }
}

/** The chart layer's digest of the manifest at `tag`, or undefined when it is not a Helm chart. */
async function heldChartLayer(client: RegistryClient, repository: string, tag: string): Promise<string | undefined> {
    const manifest = await client.getManifest(repository, tag);
    try {
        const doc = JSON.parse(manifest.bytes.toString("utf8")) as { layers?: { mediaType?: string; digest?: string }[] };
        return doc.layers?.find((l) => l.mediaType === HELM_MEDIA_TYPES.chart)?.digest;
    } catch {
        return undefined;
    }
}

/** Uploads a blob unless the repository has it; returns the bytes sent. */
async function pushBlob(client: RegistryClient, repository: string, blob: ArtifactBlob): Promise<number> {
    if (await client.hasBlob(repository, blob.digest)) return 0;
    const location = await client.startUpload(repository);
    await client.finishUpload(repository, location, blob.digest, blob.size, Readable.from([blob.bytes]));
    return blob.size;
}
