// Test images for the mirror tests: built as OCI layouts from seeded bytes, pushed with skopeo, checked with skopeo.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeOciIndexLayout, writeOciLayout } from "./ociLayout";
import type { RunningRegistry } from "./registry";
import { seededBytes } from "./seededData";
import { skopeoCopy, skopeoInspectRaw } from "./skopeo";

export const digestOf = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** A layout dir holding `tag`: one layer per size, each a file of seeded (incompressible) bytes. */
export async function multiLayerImage(dir: string, tag: string, seed: string, layerSizes: readonly number[]): Promise<string> {
    const { manifestDigest } = await writeOciLayout(dir, tag, {
        layers: layerSizes.map((size, i) => ({ files: { [`data/${seed}-${i}.bin`]: seededBytes(`${seed}/${i}`, size) } })),
    });
    return manifestDigest;
}

/** A two-platform index (linux/amd64, linux/arm64) whose images share their first layer. */
export async function twoPlatformIndex(
    dir: string,
    tag: string,
    seed: string,
): Promise<{ indexDigest: string; platformDigests: string[] }> {
    const shared = { files: { "etc/base.bin": seededBytes(`${seed}/base`, 64 * 1024) } };
    const { manifestDigest, platformDigests } = await writeOciIndexLayout(dir, tag, [
        { architecture: "amd64", layers: [shared, { files: { "bin/app": seededBytes(`${seed}/amd64`, 32 * 1024) } }] },
        { architecture: "arm64", layers: [shared, { files: { "bin/app": seededBytes(`${seed}/arm64`, 32 * 1024) } }] },
    ]);
    return { indexDigest: manifestDigest, platformDigests };
}

/** Pushes `oci:<dir>:<tag>` (every platform) to a plain-HTTP, anonymous registry. */
export async function pushLayout(dir: string, tag: string, registry: RunningRegistry, repository: string): Promise<void> {
    const result = await skopeoCopy({
        src: `oci:${dir}:${tag}`,
        dest: `docker://${registry.host}/${repository}:${tag}`,
        destTlsVerify: false,
        all: true,
    });
    if (!result.ok) throw new Error(`skopeo push of ${dir}:${tag} failed: ${result.stderr}`);
}

/** Writes a docker config with one login and returns its path. */
export function writeAuthFile(dir: string, host: string, username: string, password: string): string {
    const file = path.join(dir, `auth-${host.replace(/\W/g, "_")}-${username}-${Date.now()}.json`);
    fs.writeFileSync(file, JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${username}:${password}`).toString("base64") } } }));
    return file;
}

/** sha256 of the manifest bytes skopeo reads for `ref` (an independent client's view of the digest). */
export async function skopeoDigest(ref: string, registry: RunningRegistry, authFile?: string): Promise<string> {
    const raw = await skopeoInspectRaw(
        `docker://${ref}`,
        registry.certDir ? { certDir: registry.certDir, authFile } : { tlsVerify: false, authFile },
    );
    return digestOf(raw);
}

/** The tags of a repository (empty when the repository does not exist), read with plain HTTP from a registry without auth. */
export async function tagsOf(registry: RunningRegistry, repository: string): Promise<string[]> {
    const res = await fetch(`${registry.url}/v2/${repository}/tags/list`);
    if (res.status === 404) return [];
    const body = (await res.json()) as { tags?: string[] | null };
    return body.tags ?? [];
}
