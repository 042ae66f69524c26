/**
 * Image references as the distribution API needs them: the registry host to talk to, the repository and the tag or
 * digest. Parsing follows docker's rules through `engines/oci/imageReference.ts` (`nginx` is `docker.io/library/nginx`).
 */
import { parseImageReference } from "./imageReference";

/** A reference resolved for the registry API. */
export interface RemoteImage {
    /** The registry as users write it (`docker.io`, `ghcr.io`, `127.0.0.1:5000`): the docker config key. */
    readonly registry: string;
    /** The host the API is served on (`registry-1.docker.io` for Docker Hub, otherwise `registry`). */
    readonly host: string;
    readonly repository: string;
    /** Tag; `latest` when the reference names neither tag nor digest. */
    readonly tag?: string;
    readonly digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** Docker Hub's API host: `docker.io` only names it. */
export const DOCKER_HUB_API_HOST = "registry-1.docker.io";

/** Parses and checks `[registry/]repository[:tag][@digest]`; throws with the reason on a malformed reference. */
export function parseRemoteImage(reference: string): RemoteImage {
    if (typeof reference !== "string" || reference.trim() === "" || /\s/.test(reference) || reference.includes("://")) {
        throw new Error(`invalid image reference ${JSON.stringify(reference)}: expected [registry/]repository[:tag][@digest]`);
    }
    const ref = parseImageReference(reference);
    const bad = ref.path.split("/").find((part) => !PATH_COMPONENT.test(part));
    if (bad !== undefined) {
        throw new Error(
            `invalid image reference ${JSON.stringify(reference)}: repository component ${JSON.stringify(bad)} is not lowercase [a-z0-9._-]`,
        );
    }
    if (ref.tag !== undefined && !TAG.test(ref.tag)) {
        throw new Error(`invalid image reference ${JSON.stringify(reference)}: bad tag ${JSON.stringify(ref.tag)}`);
    }
    if (ref.digest !== undefined && !DIGEST.test(ref.digest)) {
        throw new Error(`invalid image reference ${JSON.stringify(reference)}: bad digest ${JSON.stringify(ref.digest)}`);
    }
    const tag = ref.tag ?? (ref.digest === undefined ? "latest" : undefined);
    return {
        registry: ref.domain,
        host: ref.domain === "docker.io" ? DOCKER_HUB_API_HOST : ref.domain,
        repository: ref.path,
        ...(tag !== undefined ? { tag } : {}),
        ...(ref.digest !== undefined ? { digest: ref.digest } : {}),
    };
}

/** `registry/repository[:tag][@digest]`, the canonical spelling used in results and messages. */
export function formatRemoteImage(image: RemoteImage): string {
    return `${image.registry}/${image.repository}${image.tag !== undefined ? `:${image.tag}` : ""}${image.digest !== undefined ? `@${image.digest}` : ""}`;
}

/** What to ask the registry for: the digest when pinned (immutable), else the tag. */
export function manifestReference(image: RemoteImage): string {
    return image.digest ?? image.tag!;
}
