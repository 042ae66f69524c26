/**
 * Where each image goes in a mirror: `<imageMirror>/<path>:<tag>` (see `mirroredImageReference`). Which images a Dify
 * chart version needs is decided beside the component (`engines/difyChart/images.ts`), not here.
 */
import { mirroredImageReference } from "./imageReference";
import { formatRemoteImage, parseRemoteImage } from "./reference";
import type { MirrorPlanItem } from "./types";

/**
 * Pairs each source with its place in the mirror: `<imageMirror>/<path without registry and library/>:<tag>`.
 * Duplicates are dropped; two sources landing on the same target (`docker.io/a/x:1`, `ghcr.io/a/x:1`) are an error.
 */
export function planMirror(images: readonly string[], imageMirror: string): MirrorPlanItem[] {
    const mirror = imageMirror.replace(/\/+$/, "");
    const host = mirror.split("/")[0];
    // Without a dot, a port or localhost, docker would read the first component as a Docker Hub namespace.
    if (!/[.:]/.test(host) && host !== "localhost") {
        throw new Error(`imageMirror ${JSON.stringify(imageMirror)} must start with a registry host (registry.example.com/dify-mirror)`);
    }
    const byTarget = new Map<string, string>();
    for (const image of images) {
        const source = formatRemoteImage(parseRemoteImage(image));
        const target = formatRemoteImage(parseRemoteImage(mirroredImageReference(source, mirror)));
        const earlier = byTarget.get(target);
        if (earlier !== undefined && earlier !== source) {
            throw new Error(`${earlier} and ${source} would both be mirrored to ${target}`);
        }
        byTarget.set(target, source);
    }
    return [...byTarget].map(([target, source]) => ({ source, target }));
}
