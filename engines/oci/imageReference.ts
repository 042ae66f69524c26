/**
 * Parsing and rewriting of image references the way docker and containerd read them (`nginx:1.29` is
 * `docker.io/library/nginx:1.29`), for the restricted-network setting that moves every image to one mirror.
 */

/** A parsed image reference. */
export interface ImageReference {
    /** Registry host, `docker.io` when the reference names none. */
    readonly domain: string;
    /** Repository path inside the registry, `library/` added for Docker Hub official images. */
    readonly path: string;
    readonly tag?: string;
    readonly digest?: string;
}

const DOCKER_HUB_ALIASES = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/** Parses `[domain/]path[:tag][@digest]`. */
export function parseImageReference(reference: string): ImageReference {
    let rest = reference;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    let tag: string | undefined;
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
    }
    const slash = rest.indexOf("/");
    const first = slash >= 0 ? rest.slice(0, slash) : "";
    // The first component is a registry only if it looks like a host: a dot, a port or localhost.
    const hasDomain = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
    // index.docker.io and registry-1.docker.io are Docker Hub's other names.
    const domain = !hasDomain ? "docker.io" : DOCKER_HUB_ALIASES.includes(first) ? "docker.io" : first;
    let path = hasDomain ? rest.slice(slash + 1) : rest;
    if (domain === "docker.io" && !path.includes("/")) {
        path = `library/${path}`;
    }
    return { domain, path, tag, digest };
}

/** Formats a reference back into `domain/path[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
    return `${ref.domain}/${ref.path}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/**
 * Where an image lives in the mirror: `<mirror>/<path without registry and without library/>:<tag>`.
 * `gcr.io/kaniko-project/executor:latest` → `<mirror>/kaniko-project/executor:latest`, `nginx:1.29` → `<mirror>/nginx:1.29`.
 */
export function mirroredImageReference(reference: string, mirror: string): string {
    const ref = parseImageReference(reference);
    const path = ref.domain === "docker.io" ? ref.path.replace(/^library\//, "") : ref.path;
    return `${mirror}/${path}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}
