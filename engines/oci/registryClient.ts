/**
 * A client of one registry's distribution API (`/v2/`): manifests, blobs, cross-repository mounts and monolithic
 * uploads. Every request carries the token scopes it needs; see `registrySession.ts` for auth and retries.
 */
import type { Readable } from "node:stream";
import { repositoryScope } from "./auth";
import { DigestMismatchError, RegistryError } from "./errors";
import { discard, readBody, type HttpResponse } from "./http";
import { MANIFEST_ACCEPT, digestOf } from "./manifest";
import { RegistrySession, header, type RegistryClientOptions } from "./registrySession";

export type { RegistryClientOptions } from "./registrySession";

/** What a HEAD of a manifest tells. */
export interface ManifestInfo {
    readonly digest: string;
    readonly mediaType: string;
    readonly size: number;
}

/** A manifest with its exact bytes. */
export interface FetchedManifest extends ManifestInfo {
    readonly bytes: Buffer;
}

const REDIRECTS = [301, 302, 303, 307, 308];

/** The distribution API of one registry host. */
export class RegistryClient {
    private readonly session: RegistrySession;

    constructor(
        /** Registry name as users write it (`docker.io`), for messages and credentials. */
        readonly registry: string,
        /** API host (`registry-1.docker.io`). */
        readonly host: string,
        options: RegistryClientOptions,
    ) {
        this.session = new RegistrySession(registry, host, options);
    }

    /** `http(s)://host`: two clients with the same origin can mount blobs between their repositories. */
    get origin(): string {
        return this.session.origin;
    }

    /** Learns the auth scheme and checks the login (done before the first request anyway). */
    ping(): Promise<void> {
        return this.session.ping();
    }

    /** HEAD a manifest; undefined when the tag or digest is not there. */
    async headManifest(repository: string, reference: string): Promise<ManifestInfo | undefined> {
        const res = await this.session.request("HEAD", `/v2/${repository}/manifests/${reference}`, {
            scopes: [repositoryScope(repository, false)],
            headers: { accept: MANIFEST_ACCEPT },
            expect: [200, 404],
            what: `HEAD ${this.registry}/${repository} manifest ${reference}`,
        });
        discard(res);
        if (res.status === 404) return undefined;
        const digest = header(res, "docker-content-digest");
        // The header is optional in the spec: without it, the bytes tell.
        if (!digest) return this.getManifest(repository, reference);
        return { digest, mediaType: header(res, "content-type") ?? "", size: Number(header(res, "content-length") ?? 0) };
    }

    /** GET a manifest's exact bytes; they are checked against the digest asked for or announced. */
    async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
        const what = `${this.registry}/${repository} manifest ${reference}`;
        const res = await this.session.request("GET", `/v2/${repository}/manifests/${reference}`, {
            scopes: [repositoryScope(repository, false)],
            headers: { accept: MANIFEST_ACCEPT },
            expect: [200],
            what: `GET ${what}`,
        });
        const bytes = await readBody(res);
        const expected = reference.includes(":") ? reference : header(res, "docker-content-digest");
        const digest = digestOf(bytes, expected);
        if (expected !== undefined && expected !== digest) throw new DigestMismatchError(what, expected, digest);
        return { digest, bytes, mediaType: header(res, "content-type") ?? "", size: bytes.length };
    }

    /** PUT a manifest under a tag or its digest; returns the digest the registry stored. */
    async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
        const res = await this.session.request("PUT", `/v2/${repository}/manifests/${reference}`, {
            scopes: [repositoryScope(repository, true)],
            headers: { "content-type": mediaType, "content-length": bytes.length },
            body: bytes,
            expect: [201],
            what: `PUT ${this.registry}/${repository} manifest ${reference}`,
        });
        discard(res);
        return header(res, "docker-content-digest") ?? digestOf(bytes);
    }

    /** True when the repository already has the blob (registries scope blobs per repository). */
    async hasBlob(repository: string, digest: string): Promise<boolean> {
        const res = await this.session.request("HEAD", `/v2/${repository}/blobs/${digest}`, {
            scopes: [repositoryScope(repository, true)],
            expect: [200, 404],
            what: `HEAD ${this.registry}/${repository} blob ${digest}`,
        });
        discard(res);
        return res.status === 200;
    }

    /**
     * Opens a blob for streaming, following redirects to storage (without our credentials on other hosts). With
     * `range` (inclusive byte offsets) the answer is 206 with those bytes, or 200 with the whole blob from a registry
     * that ignores `Range`.
     */
    async openBlob(repository: string, digest: string, range?: { readonly start: number; readonly end: number }): Promise<HttpResponse> {
        const what = `GET ${this.registry}/${repository} blob ${digest}`;
        const headers = range ? { range: `bytes=${range.start}-${range.end}` } : undefined;
        let res = await this.session.request("GET", `/v2/${repository}/blobs/${digest}`, {
            scopes: [repositoryScope(repository, false)],
            headers,
            expect: [200, 206, ...REDIRECTS],
            what,
        });
        for (let hops = 0; REDIRECTS.includes(res.status); hops++) {
            const location = header(res, "location");
            discard(res);
            if (!location || hops >= 5) throw new RegistryError(`${what}: too many or empty redirects`, res.status);
            res = await this.session.requestElsewhere(new URL(location, res.url), what, headers);
        }
        return res;
    }

    /**
     * Asks the registry to link a blob from another of its repositories. Returns undefined when mounted; otherwise
     * the upload location the registry opened instead (it answers 202 when it cannot or may not mount).
     */
    async mountBlob(repository: string, digest: string, from: string): Promise<string | undefined> {
        const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
        const res = await this.session.request("POST", `/v2/${repository}/blobs/uploads/?${query}`, {
            // Pull on the source repository is what lets a token registry accept the mount.
            scopes: [repositoryScope(repository, true), repositoryScope(from, false)],
            headers: { "content-length": 0 },
            expect: [201, 202],
            what: `mount ${this.registry}/${from} blob ${digest} into ${repository}`,
        });
        discard(res);
        return res.status === 201 ? undefined : this.location(res);
    }

    /** Opens an upload session; returns its location. */
    async startUpload(repository: string): Promise<string> {
        const res = await this.session.request("POST", `/v2/${repository}/blobs/uploads/`, {
            scopes: [repositoryScope(repository, true)],
            headers: { "content-length": 0 },
            expect: [202],
            what: `start upload to ${this.registry}/${repository}`,
        });
        discard(res);
        return this.location(res);
    }

    /** Streams a blob into an upload session in one PUT (not replayable: the caller retries the whole blob). */
    async finishUpload(repository: string, location: string, digest: string, size: number, body: Readable): Promise<void> {
        const url = new URL(location, this.origin);
        url.searchParams.set("digest", digest);
        const what = `upload ${this.registry}/${repository} blob ${digest}`;
        const res = await this.session.send("PUT", url, {
            scopes: [repositoryScope(repository, true)],
            headers: { "content-type": "application/octet-stream", "content-length": size },
            body,
            expect: [201],
            what,
        });
        if (res.status !== 201) {
            body.destroy();
            throw await this.session.failure(res, what);
        }
        discard(res);
    }

    /**
     * Streams bytes `start`…`size - 1` of a blob into an upload session (one PATCH with `Content-Range`); resolves
     * with the session's next location. Not replayable: the caller resumes (see `blobUpload.ts`).
     */
    async patchUpload(repository: string, location: string, start: number, size: number, body: Readable, digest: string): Promise<string> {
        const what = `upload ${this.registry}/${repository} blob ${digest}`;
        const res = await this.session.send("PATCH", new URL(location, this.origin), {
            scopes: [repositoryScope(repository, true)],
            headers: {
                "content-type": "application/octet-stream",
                "content-length": size - start,
                "content-range": `${start}-${size - 1}`,
            },
            body,
            expect: [202],
            what,
        });
        if (res.status !== 202) {
            body.destroy();
            throw await this.session.failure(res, what);
        }
        discard(res);
        return this.location(res);
    }

    /**
     * How many bytes an upload session holds (`GET` of the session: `Range: 0-<last>`), with its current location; or
     * undefined when the session is gone or invalid — distribution invalidates a session whose PATCH was cut.
     */
    async uploadStatus(repository: string, location: string): Promise<{ readonly offset: number; readonly location: string } | undefined> {
        const res = await this.session.request("GET", new URL(location, this.origin).toString(), {
            scopes: [repositoryScope(repository, true)],
            expect: [204, 400, 404],
            what: `status of upload to ${this.registry}/${repository}`,
        });
        discard(res);
        if (res.status !== 204) return undefined;
        const range = /^(?:bytes=)?0-(\d+)$/.exec(header(res, "range") ?? "");
        return { offset: range ? Number(range[1]) + 1 : 0, location: header(res, "location") ? this.location(res) : location };
    }

    /** Commits an upload session whose bytes are all sent (`PUT ?digest=` with no body). */
    async commitUpload(repository: string, location: string, digest: string): Promise<void> {
        const url = new URL(location, this.origin);
        url.searchParams.set("digest", digest);
        const res = await this.session.send("PUT", url, {
            scopes: [repositoryScope(repository, true)],
            headers: { "content-length": 0 },
            expect: [201],
            what: `commit upload ${this.registry}/${repository} blob ${digest}`,
        });
        if (res.status !== 201) throw await this.session.failure(res, `commit upload ${this.registry}/${repository} blob ${digest}`);
        discard(res);
    }

    /** Best effort: drops a failed upload session so it does not linger in the target's storage. */
    async cancelUpload(repository: string, location: string): Promise<void> {
        try {
            const res = await this.session.send("DELETE", new URL(location, this.origin), {
                scopes: [repositoryScope(repository, true)],
                expect: [204],
                what: `cancel upload to ${repository}`,
            });
            discard(res);
        } catch {
            // The registry garbage-collects stale sessions anyway.
        }
    }

    private location(res: HttpResponse): string {
        const location = header(res, "location");
        if (!location) throw new RegistryError(`${this.registry}: upload answer without a Location header`, res.status);
        return new URL(location, res.url).toString();
    }
}
