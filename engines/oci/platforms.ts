/**
 * The optional platform filter. Without one, an index is copied whole and byte-identical. With one, the index is
 * rewritten to list only the chosen platforms (a new digest, reported as `indexRewritten`); the chosen manifests keep
 * their bytes and digests. Attestations (`vnd.docker.reference.digest`) follow the manifest they describe.
 */
import { digestOf, formatPlatform, type Descriptor, type Platform } from "./manifest";

/** Parses `os/arch[/variant]` (`linux/amd64`, `linux/arm64/v8`). */
export function parsePlatform(text: string): Platform {
    const parts = text.trim().split("/");
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "")) {
        throw new Error(`invalid platform ${JSON.stringify(text)}: expected os/arch[/variant], e.g. linux/amd64`);
    }
    return { os: parts[0], architecture: parts[1], ...(parts[2] ? { variant: parts[2] } : {}) };
}

/** True when `platform` is one of `wanted` (a filter without a variant accepts every variant). */
export function platformMatches(platform: Platform | undefined, wanted: readonly Platform[]): boolean {
    return (
        platform !== undefined &&
        wanted.some(
            (w) =>
                w.os === platform.os &&
                w.architecture === platform.architecture &&
                (w.variant === undefined || w.variant === platform.variant),
        )
    );
}

/** The index to push and the children it references. */
export interface FilteredIndex {
    readonly bytes: Buffer;
    readonly digest: string;
    readonly children: readonly Descriptor[];
    readonly rewritten: boolean;
}

const ATTESTATION_OF = "vnd.docker.reference.digest";

/** Applies `wanted` to an index; no filter (or one that keeps everything) returns the original bytes. */
export function filterIndex(
    bytes: Buffer,
    digest: string,
    children: readonly Descriptor[],
    wanted: readonly Platform[] | undefined,
    what: string,
): FilteredIndex {
    if (!wanted || wanted.length === 0) return { bytes, digest, children, rewritten: false };
    const chosen = new Set(children.filter((c) => platformMatches(c.platform, wanted)).map((c) => c.digest));
    if (chosen.size === 0) {
        const available = children.map((c) => formatPlatform(c.platform)).join(", ");
        throw new Error(`${what}: none of the platforms ${wanted.map(formatPlatform).join(", ")} is in the index (it has ${available})`);
    }
    const kept = children.filter((c) => chosen.has(c.digest) || chosen.has(c.annotations?.[ATTESTATION_OF] ?? ""));
    if (kept.length === children.length) return { bytes, digest, children, rewritten: false };
    const doc = JSON.parse(bytes.toString("utf8")) as { manifests: Descriptor[] };
    const keptDigests = new Set(kept.map((c) => c.digest));
    doc.manifests = doc.manifests.filter((m) => keptDigests.has(m.digest));
    const rewritten = Buffer.from(JSON.stringify(doc));
    return { bytes: rewritten, digest: digestOf(rewritten, digest), children: kept, rewritten: true };
}
