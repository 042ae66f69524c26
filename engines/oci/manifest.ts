/**
 * Manifest kinds the copier understands, and what each references: an index references manifests, an image manifest
 * references its config and layers. Bytes are never re-serialised, so digests are preserved.
 */
import { createHash } from "node:crypto";
import { UnsupportedManifestError } from "./errors";

/** The manifest media types: OCI index and manifest, Docker manifest list and schema 2 manifest. */
export const MEDIA_TYPES = {
    ociIndex: "application/vnd.oci.image.index.v1+json",
    ociManifest: "application/vnd.oci.image.manifest.v1+json",
    dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
    dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
} as const;

/** The `Accept` header of manifest requests: every kind we can copy, none we cannot (schema 1). */
export const MANIFEST_ACCEPT = Object.values(MEDIA_TYPES).join(", ");

const INDEX_TYPES: readonly string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList];
const IMAGE_TYPES: readonly string[] = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest];

/** A platform as indexes describe it. */
export interface Platform {
    readonly os: string;
    readonly architecture: string;
    readonly variant?: string;
}

/** A content descriptor: what a manifest says about a blob or a child manifest. */
export interface Descriptor {
    readonly mediaType: string;
    readonly digest: string;
    readonly size: number;
    readonly platform?: Platform;
    readonly annotations?: Readonly<Record<string, string>>;
    /** Foreign / non-distributable layers are fetched from these URLs, never from a registry. */
    readonly urls?: readonly string[];
}

/** A manifest read from its bytes. */
export type ParsedManifest =
    | { readonly kind: "index"; readonly mediaType: string; readonly manifests: readonly Descriptor[] }
    | { readonly kind: "image"; readonly mediaType: string; readonly config: Descriptor; readonly layers: readonly Descriptor[] };

/** Parses manifest bytes; `contentType` (the registry's answer) wins over the document's own `mediaType`. */
export function parseManifest(bytes: Buffer, contentType: string | undefined, what: string): ParsedManifest {
    let doc: { schemaVersion?: number; mediaType?: string; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
    try {
        doc = JSON.parse(bytes.toString("utf8"));
    } catch {
        throw new UnsupportedManifestError(`${what}: manifest is not JSON`);
    }
    const header = contentType?.split(";")[0].trim();
    // Registries answer application/json for OCI documents without a mediaType field: fall back to the shape.
    const mediaType =
        (header && (INDEX_TYPES.includes(header) || IMAGE_TYPES.includes(header)) ? header : undefined) ??
        doc.mediaType ??
        (Array.isArray(doc.manifests) ? MEDIA_TYPES.ociIndex : doc.config ? MEDIA_TYPES.ociManifest : undefined);
    if (doc.schemaVersion !== 2 || mediaType === undefined) {
        throw new UnsupportedManifestError(
            `${what}: unsupported manifest (schemaVersion ${doc.schemaVersion}, media type ${header ?? doc.mediaType ?? "none"}); ` +
                "Docker schema 1 images cannot be mirrored with their digests",
        );
    }
    if (INDEX_TYPES.includes(mediaType)) {
        return { kind: "index", mediaType, manifests: checkDescriptors(doc.manifests ?? [], what) };
    }
    if (IMAGE_TYPES.includes(mediaType) && doc.config) {
        return {
            kind: "image",
            mediaType,
            config: checkDescriptors([doc.config], what)[0],
            layers: checkDescriptors(doc.layers ?? [], what),
        };
    }
    throw new UnsupportedManifestError(`${what}: unsupported manifest media type ${mediaType}`);
}

function checkDescriptors(list: Descriptor[], what: string): Descriptor[] {
    for (const d of list) {
        if (typeof d?.digest !== "string" || !/^sha(256|512):[a-f0-9]+$/.test(d.digest) || typeof d.size !== "number") {
            throw new UnsupportedManifestError(`${what}: malformed descriptor ${JSON.stringify(d)}`);
        }
    }
    return list;
}

/** Layers that registries do not serve (Windows base layers): the target needs only the reference. */
export function isForeignLayer(d: Descriptor): boolean {
    return /\.foreign\.|\.nondistributable\./.test(d.mediaType) || (d.urls !== undefined && d.urls.length > 0);
}

/** `sha256:<hex>` (or `sha512:`) of `bytes`, in the algorithm of `like` (sha256 by default). */
export function digestOf(bytes: Buffer, like = "sha256:"): string {
    const algorithm = like.startsWith("sha512:") ? "sha512" : "sha256";
    return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

/** `linux/arm64/v8`. */
export function formatPlatform(p: Platform | undefined): string {
    return p ? [p.os, p.architecture, p.variant].filter(Boolean).join("/") : "unknown";
}
