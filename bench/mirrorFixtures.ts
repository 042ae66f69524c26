/**
 * Bench images, streamed to disk as OCI layouts: each layer is a tar holding one file of seeded incompressible bytes,
 * gzip-wrapped at level 0 (valid gzip, no CPU spent on data that cannot shrink). Nothing is held in memory.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { seededStream } from "../test/support/seededData";

export interface LayerSpec {
    readonly seed: string;
    readonly size: number;
}
export interface Descriptor {
    readonly mediaType: string;
    readonly digest: string;
    readonly size: number;
    readonly platform?: { readonly os: string; readonly architecture: string };
}

const OCI = {
    index: "application/vnd.oci.image.index.v1+json",
    manifest: "application/vnd.oci.image.manifest.v1+json",
    config: "application/vnd.oci.image.config.v1+json",
    layer: "application/vnd.oci.image.layer.v1.tar+gzip",
};

function hashing(hash: ReturnType<typeof createHash>, count: { n: number }): Transform {
    return new Transform({
        transform(chunk: Buffer, _e, cb) {
            hash.update(chunk);
            count.n += chunk.length;
            cb(null, chunk);
        },
    });
}

function tarHeader(name: string, size: number): Buffer {
    const h = Buffer.alloc(512);
    h.write(name, 0);
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
    h.write("00000000000\0", 136);
    h.fill(0x20, 148, 156);
    h.write("0", 156);
    h.write("ustar\0" + "00", 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    return h;
}

async function* tarOf(spec: LayerSpec): AsyncGenerator<Buffer> {
    yield tarHeader(`data/${spec.seed}.bin`, spec.size);
    yield* seededStream(spec.seed, spec.size);
    yield Buffer.alloc(((512 - (spec.size % 512)) % 512) + 1024);
}

function writeBlob(dir: string, data: Buffer): Descriptor & { mediaType: "" } {
    const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
    fs.writeFileSync(path.join(dir, "blobs", "sha256", digest.slice(7)), data);
    return { mediaType: "", digest, size: data.length };
}

/** Writes one layer blob; returns its descriptor and the diff_id (digest of the uncompressed tar). */
async function writeLayer(dir: string, spec: LayerSpec): Promise<{ desc: Descriptor; diffId: string }> {
    const tmp = path.join(dir, `layer-${spec.seed}.tmp`);
    const tarHash = createHash("sha256");
    const gzHash = createHash("sha256");
    const gz = { n: 0 };
    await pipeline(tarOf(spec), hashing(tarHash, { n: 0 }), zlib.createGzip({ level: 0 }), hashing(gzHash, gz), fs.createWriteStream(tmp));
    const digest = `sha256:${gzHash.digest("hex")}`;
    fs.renameSync(tmp, path.join(dir, "blobs", "sha256", digest.slice(7)));
    return { desc: { mediaType: OCI.layer, digest, size: gz.n }, diffId: `sha256:${tarHash.digest("hex")}` };
}

/** Writes an image (config, layers, manifest) into the layout; returns the manifest descriptor. */
export async function writeImage(dir: string, layers: readonly LayerSpec[], architecture = "amd64"): Promise<Descriptor> {
    fs.mkdirSync(path.join(dir, "blobs", "sha256"), { recursive: true });
    const written = [];
    for (const spec of layers) written.push(await writeLayer(dir, spec));
    const config = { architecture, os: "linux", config: {}, rootfs: { type: "layers", diff_ids: written.map((w) => w.diffId) } };
    const configDesc = { ...writeBlob(dir, Buffer.from(JSON.stringify(config))), mediaType: OCI.config };
    const manifest = { schemaVersion: 2, mediaType: OCI.manifest, config: configDesc, layers: written.map((w) => w.desc) };
    return { ...writeBlob(dir, Buffer.from(JSON.stringify(manifest))), mediaType: OCI.manifest, platform: { os: "linux", architecture } };
}

/** Writes a multi-platform index of `images` (already written) into the layout. */
export function writeIndex(dir: string, images: readonly Descriptor[]): Descriptor {
    const index = { schemaVersion: 2, mediaType: OCI.index, manifests: images };
    return { ...writeBlob(dir, Buffer.from(JSON.stringify(index))), mediaType: OCI.index };
}

/** Points `tag` at `desc` in the layout's index.json (the layout may hold several tags). */
export function tagInLayout(dir: string, tag: string, desc: Descriptor): void {
    fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    const file = path.join(dir, "index.json");
    const index = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : { schemaVersion: 2, manifests: [] };
    const { platform: _p, ...plain } = desc;
    index.manifests.push({ ...plain, annotations: { "org.opencontainers.image.ref.name": tag } });
    fs.writeFileSync(file, JSON.stringify(index));
}

const MiB = 1024 * 1024;
const L = (seed: string, mib: number): LayerSpec => ({ seed, size: Math.round(mib * MiB) });

/** A set shaped like Dify's helper images: three two-platform indexes and five single images sharing base layers. */
export async function writeHelperSet(dir: string): Promise<{ repository: string; tag: string }[]> {
    const set: { repository: string; tag: string }[] = [];
    const index = async (repository: string, tag: string, layers: (arch: string) => LayerSpec[]) => {
        const images = [];
        for (const arch of ["amd64", "arm64"]) images.push(await writeImage(dir, layers(arch), arch));
        tagInLayout(dir, `${repository.replace(/\//g, "-")}-${tag}`, writeIndex(dir, images));
        set.push({ repository, tag });
    };
    const single = async (repository: string, tag: string, layers: LayerSpec[]) => {
        tagInLayout(dir, `${repository.replace(/\//g, "-")}-${tag}`, await writeImage(dir, layers));
        set.push({ repository, tag });
    };
    await index("library/nginx", "1.29.4-alpine", (a) => [L(`alpine-${a}`, 3.5), L(`nginx-${a}`, 2), L(`nginx-conf-${a}`, 0.1)]);
    await index("kaniko-project/executor", "latest", (a) => [L(`kaniko-${a}`, 9), L(`kaniko-certs-${a}`, 0.3), L(`kaniko-bin-${a}`, 3)]);
    await index("library/busybox", "latest", (a) => [L(`busybox-${a}`, 1.1)]);
    await single("amazon/aws-cli", "latest", [L("al2023", 12), L("awscli", 20), L("awscli-deps", 4), L("awscli-conf", 0.05)]);
    for (const py of ["3.11", "3.12", "3.13", "3.14"]) {
        await single("langgenius/plugin-build-base-python", `${py}-secure`, [
            L("debian-base", 10),
            L("build-deps", 8),
            L(`python-${py}`, 6),
            L(`pip-${py}`, 1.5),
        ]);
    }
    return set;
}
