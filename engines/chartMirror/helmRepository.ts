/**
 * A classic Helm chart repository (`index.yaml` + `.tgz`, what `helm repo add` reads): finds a pinned version in the
 * index and downloads its package, checked against the index's `digest`. Requests go over the OCI engine's transport
 * (its per-host CA, plain HTTP only where the URL says `http://`), with its retries; the login is sent only to the
 * repository's own origin, as Helm does without `--pass-credentials`.
 */
import { createHash } from "node:crypto";
import { yaml } from "./chartPackage";
import type { Credentials } from "../oci/credentials";
import { AuthenticationError, DigestMismatchError, RegistryError } from "../oci/errors";
import { readBody, type HttpTransport } from "../oci/http";
import { type RetryListener, type RetryPolicy, withRetry } from "../oci/retry";

/** One version of a chart as `index.yaml` lists it (Chart.yaml's fields plus where and what the package is). */
export interface ChartIndexEntry {
    readonly name: string;
    readonly version: string;
    /** The package's URLs, absolute or relative to the repository. */
    readonly urls: readonly string[];
    /** sha256 of the package, hex. */
    readonly digest?: string;
    readonly created?: string;
    readonly [key: string]: unknown;
}

/** How to reach a Helm repository. */
export interface HelmRepositoryAccess {
    readonly transport: HttpTransport;
    /** Basic login, sent to the repository's origin only. */
    readonly credentials?: Credentials;
    readonly retry: RetryPolicy;
    readonly onRetry?: RetryListener;
}

const REDIRECTS = [301, 302, 303, 307, 308];
/** index.yaml of a large repository runs to tens of MB (every version of every chart). */
const INDEX_LIMIT = 128 * 1024 * 1024;
/** A chart package is a few hundred KB; refuse anything absurd. */
const PACKAGE_LIMIT = 64 * 1024 * 1024;

/** `https://host/path` → `https://host/path/` (Helm resolves relative URLs against the repository with a slash). */
function repositoryBase(repository: string): URL {
    return new URL(repository.endsWith("/") ? repository : `${repository}/`);
}

/** The entry of `chart` at exactly `version` in the repository's index; throws naming the versions it has. */
export async function findChartVersion(
    repository: string,
    chart: string,
    version: string,
    access: HelmRepositoryAccess,
): Promise<ChartIndexEntry> {
    const url = new URL("index.yaml", repositoryBase(repository));
    const body = await get(url, repositoryBase(repository), access, `GET ${url}`, INDEX_LIMIT);
    let index: { entries?: Record<string, ChartIndexEntry[]> };
    try {
        index = yaml().parse(body.toString("utf8"), { maxAliasCount: -1 }) as typeof index;
    } catch (err) {
        throw new Error(`${url} is not a Helm repository index: ${(err as Error).message}`);
    }
    const versions = index?.entries?.[chart];
    if (!Array.isArray(versions)) {
        const names = Object.keys(index?.entries ?? {});
        throw new Error(`${repository} has no chart "${chart}" (it lists ${names.length > 0 ? names.slice(0, 10).join(", ") : "none"})`);
    }
    const entry = versions.find((v) => v?.version === version);
    if (!entry) {
        const listed = versions
            .slice(0, 8)
            .map((v) => v.version)
            .join(", ");
        throw new Error(`${repository} has no version ${version} of chart "${chart}" (latest listed: ${listed})`);
    }
    if (!Array.isArray(entry.urls) || entry.urls.length === 0) throw new Error(`${url}: ${chart} ${version} lists no package URL`);
    return entry;
}

/** Downloads the package of `entry` and checks it against the index's digest (required: nothing unverified is pushed). */
export async function downloadChart(repository: string, entry: ChartIndexEntry, access: HelmRepositoryAccess): Promise<Buffer> {
    const what = `${entry.name} ${entry.version} from ${repository}`;
    if (typeof entry.digest !== "string" || !/^[a-f0-9]{64}$/.test(entry.digest)) {
        throw new Error(`${what}: index.yaml gives no sha256 digest for it, so the package cannot be verified`);
    }
    const base = repositoryBase(repository);
    const url = new URL(entry.urls[0], base);
    const bytes = await get(url, base, access, `GET ${url}`, PACKAGE_LIMIT);
    const digest = createHash("sha256").update(bytes).digest("hex");
    if (digest !== entry.digest) throw new DigestMismatchError(`${what} (${url})`, `sha256:${entry.digest}`, `sha256:${digest}`);
    return bytes;
}

/** A GET that follows redirects; `Authorization` only on the repository's origin, a 401 names the login to give. */
async function get(url: URL, base: URL, access: HelmRepositoryAccess, what: string, limit: number): Promise<Buffer> {
    return withRetry(
        async () => {
            let current = url;
            for (let hops = 0; hops <= 5; hops++) {
                const own = current.origin === base.origin;
                const authorization =
                    own && access.credentials
                        ? `Basic ${Buffer.from(`${access.credentials.username}:${access.credentials.password}`).toString("base64")}`
                        : undefined;
                const res = await access.transport.send({ method: "GET", url: current, headers: { authorization, accept: "*/*" } });
                if (res.status === 200) return await readBody(res, limit);
                const body = await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0));
                if (REDIRECTS.includes(res.status) && typeof res.headers.location === "string") {
                    current = new URL(res.headers.location, current);
                    continue;
                }
                if (res.status === 401 || res.status === 403) {
                    const who = access.credentials ? `rejected the login of "${access.credentials.username}"` : "requires a login";
                    throw new AuthenticationError(
                        `${what}: ${current.host} ${who} (HTTP ${res.status}); give the Helm repository's login`,
                        res.status,
                    );
                }
                const text = body.toString("utf8").trim().slice(0, 200);
                throw new RegistryError(`${what}: HTTP ${res.status}${text ? `: ${text}` : ""}`, res.status);
            }
            throw new RegistryError(`${what}: too many redirects`, undefined);
        },
        access.retry,
        access.onRetry,
        what,
    );
}
