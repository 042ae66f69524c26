// Builds OCI image layouts on disk (no daemon, no network) for skopeo `oci:DIR:TAG` sources.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

export interface LayerSpec {
    readonly files: Record<string, string | Buffer>; // path-in-tar -> content
}
export interface ImageSpec {
    readonly layers: LayerSpec[];
    readonly architecture?: string; // default "amd64"
    readonly os?: string; // default "linux"
}
export interface Descriptor {
    readonly mediaType: string;
    readonly digest: string;
    readonly size: number;
    readonly platform?: { readonly architecture: string; readonly os: string };
    readonly annotations?: Record<string, string>;
}

export const MEDIA_TYPES = {
    manifest: "application/vnd.oci.image.manifest.v1+json",
    index: "application/vnd.oci.image.index.v1+json",
    config: "application/vnd.oci.image.config.v1+json",
    layer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

const REF_NAME = "org.opencontainers.image.ref.name";

export function sha256(data: Buffer | string): string {
    return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

// ---- minimal POSIX ustar writer ----

function writeString(block: Buffer, offset: number, length: number, value: string): void {
    const bytes = Buffer.from(value, "utf8");
    if (bytes.length > length) throw new Error(`tar field too long: ${value}`);
    bytes.copy(block, offset);
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
    // length-1 zero-padded octal digits then NUL.
    writeString(block, offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
}

/** Splits a long path into ustar prefix (<=155) and name (<=100) at a slash. */
function splitName(name: string): [prefix: string, name: string] {
    if (Buffer.byteLength(name) <= 100) return ["", name];
    for (let i = name.lastIndexOf("/"); i > 0; i = name.lastIndexOf("/", i - 1)) {
        const prefix = name.slice(0, i);
        const rest = name.slice(i + 1);
        if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return [prefix, rest];
    }
    throw new Error(`tar path too long for ustar: ${name}`);
}

function tarHeader(name: string, size: number, type: "0" | "5", mode: number): Buffer {
    const block = Buffer.alloc(512);
    const [prefix, shortName] = splitName(name);
    writeString(block, 0, 100, shortName);
    writeOctal(block, 100, 8, mode);
    writeOctal(block, 108, 8, 0); // uid
    writeOctal(block, 116, 8, 0); // gid
    writeOctal(block, 124, 12, size);
    writeOctal(block, 136, 12, 0); // mtime 0: deterministic digests
    block.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
    writeString(block, 156, 1, type);
    writeString(block, 257, 6, "ustar\0");
    writeString(block, 263, 2, "00");
    writeString(block, 265, 32, "root");
    writeString(block, 297, 32, "root");
    writeString(block, 345, 155, prefix);
    let sum = 0;
    for (const byte of block) sum += byte;
    writeString(block, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
    return block;
}

/** An uncompressed tar with parent directories first and files sorted, so the bytes are deterministic. */
export function buildTar(files: Record<string, string | Buffer>): Buffer {
    const parts: Buffer[] = [];
    const dirs = new Set<string>();
    for (const name of Object.keys(files).sort()) {
        const clean = name.replace(/^\/+/, "");
        const segments = clean.split("/");
        for (let i = 1; i < segments.length; i++) {
            const dir = `${segments.slice(0, i).join("/")}/`;
            if (!dirs.has(dir)) {
                dirs.add(dir);
                parts.push(tarHeader(dir, 0, "5", 0o755));
            }
        }
        const content = Buffer.from(files[name]);
        parts.push(tarHeader(clean, content.length, "0", 0o644), content);
        const pad = (512 - (content.length % 512)) % 512;
        if (pad) parts.push(Buffer.alloc(pad));
    }
    parts.push(Buffer.alloc(1024)); // end-of-archive: two zero blocks
    return Buffer.concat(parts);
}

// ---- layout writing ----

function writeBlob(dir: string, data: Buffer | string): { digest: string; size: number } {
    const digest = sha256(data);
    const file = path.join(dir, "blobs", "sha256", digest.slice("sha256:".length));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
    return { digest, size: Buffer.byteLength(data) };
}

/** Writes layers, config and manifest blobs; returns the manifest descriptor. */
function writeImage(dir: string, image: ImageSpec): Descriptor {
    const architecture = image.architecture ?? "amd64";
    const os = image.os ?? "linux";
    const layers: Descriptor[] = [];
    const diffIds: string[] = [];
    for (const layer of image.layers) {
        const tar = buildTar(layer.files);
        diffIds.push(sha256(tar)); // diff_id is the digest of the UNCOMPRESSED tar
        layers.push({ mediaType: MEDIA_TYPES.layer, ...writeBlob(dir, zlib.gzipSync(tar)) });
    }
    const config = { architecture, os, config: {}, rootfs: { type: "layers", diff_ids: diffIds } };
    const configDesc = { mediaType: MEDIA_TYPES.config, ...writeBlob(dir, JSON.stringify(config)) };
    const manifest = { schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config: configDesc, layers };
    return { mediaType: MEDIA_TYPES.manifest, ...writeBlob(dir, JSON.stringify(manifest)), platform: { architecture, os } };
}

/** Creates the layout if needed and points `tag` at `desc` in index.json (replacing an older entry for the tag). */
function addToIndex(dir: string, tag: string, desc: Descriptor): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    const indexFile = path.join(dir, "index.json");
    const index = fs.existsSync(indexFile)
        ? (JSON.parse(fs.readFileSync(indexFile, "utf8")) as { manifests: Descriptor[] })
        : { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [] as Descriptor[] };
    index.manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME] !== tag);
    index.manifests.push({ ...desc, annotations: { [REF_NAME]: tag } });
    fs.writeFileSync(indexFile, JSON.stringify(index, null, 2));
}

/** Adds a single-platform image under `tag`; manifestDigest is sha256 of the manifest bytes. */
export async function writeOciLayout(dir: string, tag: string, image: ImageSpec): Promise<{ manifestDigest: string }> {
    const { platform: _platform, ...desc } = writeImage(dir, image);
    addToIndex(dir, tag, desc);
    return { manifestDigest: desc.digest };
}

/**
 * Adds a multi-platform image index under `tag`. manifestDigest is the digest of the index blob
 * (what the tag resolves to); platformDigests are the per-platform manifests, in input order.
 */
export async function writeOciIndexLayout(
    dir: string,
    tag: string,
    images: ImageSpec[],
): Promise<{ manifestDigest: string; platformDigests: string[] }> {
    const manifests = images.map((image) => writeImage(dir, image));
    const index = { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests };
    const desc: Descriptor = { mediaType: MEDIA_TYPES.index, ...writeBlob(dir, JSON.stringify(index)) };
    addToIndex(dir, tag, desc);
    return { manifestDigest: desc.digest, platformDigests: manifests.map((m) => m.digest) };
}
