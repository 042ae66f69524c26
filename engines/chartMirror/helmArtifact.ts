/**
 * A chart package as Helm stores it in an OCI registry (helm.sh/helm/v3 pkg/registry, `helm push`): the config blob is
 * Chart.yaml's fields as JSON (`application/vnd.cncf.helm.config.v1+json`), the one layer is the `.tgz` byte for byte
 * (`application/vnd.cncf.helm.chart.content.v1.tar+gzip`), the manifest an OCI image manifest with Helm's
 * annotations, tagged with the chart version (`+` written `_`, which tags cannot hold).
 */
import { createHash } from "node:crypto";

/** The media types `helm push` writes and `helm pull` requires (pkg/registry/constants.go). */
export const HELM_MEDIA_TYPES = {
    config: "application/vnd.cncf.helm.config.v1+json",
    chart: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
    manifest: "application/vnd.oci.image.manifest.v1+json",
} as const;

/** One blob of the artifact. */
export interface ArtifactBlob {
    readonly mediaType: string;
    readonly digest: string;
    readonly size: number;
    readonly bytes: Buffer;
}

/** The blobs and the manifest `helm push` would write for this package. */
export interface HelmArtifact {
    readonly config: ArtifactBlob;
    readonly chart: ArtifactBlob;
    readonly manifest: Buffer;
    readonly tag: string;
}

/** Helm's tag for a chart version: OCI tags cannot hold `+`, Helm writes `_`. */
export function chartTag(version: string): string {
    return version.replace(/\+/g, "_");
}

/** `created` as Helm writes it (RFC 3339, UTC, whole seconds). */
function rfc3339(created: unknown): string | undefined {
    if (typeof created !== "string") return undefined;
    const date = new Date(created);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Builds the artifact; `created` (the index's, so a re-run builds the same bytes) becomes `org.opencontainers.image.created`. */
export function helmArtifact(tgz: Buffer, metadata: Record<string, unknown>, created?: string): HelmArtifact {
    const config = blob(HELM_MEDIA_TYPES.config, Buffer.from(JSON.stringify(helmConfig(metadata))));
    const chart = blob(HELM_MEDIA_TYPES.chart, tgz);
    const descriptor = (b: ArtifactBlob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            config: descriptor(config),
            layers: [descriptor(chart)],
            annotations: sortedObject(ociAnnotations(metadata, rfc3339(created) ?? "1970-01-01T00:00:00Z")),
        }),
    );
    return { config, chart, manifest, tag: chartTag(String(metadata.version)) };
}

function blob(mediaType: string, bytes: Buffer): ArtifactBlob {
    return { mediaType, bytes, size: bytes.length, digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}` };
}

/**
 * Chart.yaml as Helm's `chart.Metadata` marshals it: its fields in the struct's order, empty ones left out, maps with
 * sorted keys (Go's encoding/json).
 */
export function helmConfig(m: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const put = (key: string, value: unknown) => {
        if (value === undefined || value === null || value === "" || value === false) return;
        if (Array.isArray(value) && value.length === 0) return;
        if (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0) return;
        out[key] = value;
    };
    put("name", m.name);
    put("home", m.home);
    put("sources", m.sources);
    put("version", m.version);
    put("description", m.description);
    put("keywords", m.keywords);
    put(
        "maintainers",
        Array.isArray(m.maintainers)
            ? m.maintainers.map((x: Record<string, unknown>) => omitEmpty({ name: x?.name, email: x?.email, url: x?.url }))
            : undefined,
    );
    put("icon", m.icon);
    put("apiVersion", m.apiVersion);
    put("condition", m.condition);
    put("tags", m.tags);
    put("appVersion", m.appVersion === undefined || m.appVersion === null ? undefined : String(m.appVersion));
    put("deprecated", m.deprecated === true ? true : undefined);
    put("annotations", isObject(m.annotations) ? sortedObject(m.annotations as Record<string, string>) : undefined);
    put("kubeVersion", m.kubeVersion);
    put(
        "dependencies",
        Array.isArray(m.dependencies)
            ? m.dependencies.map((d: Record<string, unknown>) => ({
                  name: d?.name ?? "",
                  ...omitEmpty({ version: d?.version }),
                  repository: d?.repository ?? "",
                  ...omitEmpty({
                      condition: d?.condition,
                      tags: d?.tags,
                      enabled: d?.enabled === true ? true : undefined,
                      "import-values": d?.["import-values"],
                      alias: d?.alias,
                  }),
              }))
            : undefined,
    );
    put("type", m.type);
    return out;
}

/** Helm's manifest annotations (pkg/registry/util.go generateOCIAnnotations). */
function ociAnnotations(m: Record<string, unknown>, created: string): Record<string, string> {
    const out: Record<string, string> = {};
    const add = (key: string, value: unknown) => {
        if (typeof value === "string" && value.trim() !== "") out[key] = value;
    };
    add("org.opencontainers.image.description", m.description);
    add("org.opencontainers.image.title", m.name);
    add("org.opencontainers.image.version", m.version);
    add("org.opencontainers.image.url", m.home);
    add("org.opencontainers.image.created", created);
    if (Array.isArray(m.sources) && m.sources.length > 0) add("org.opencontainers.image.source", m.sources[0]);
    if (Array.isArray(m.maintainers) && m.maintainers.length > 0) {
        add(
            "org.opencontainers.image.authors",
            m.maintainers.map((x: Record<string, unknown>) => `${x?.name ?? ""}${x?.email ? ` (${x.email})` : ""}`).join(", "),
        );
    }
    if (isObject(m.annotations)) {
        for (const [key, value] of Object.entries(m.annotations as Record<string, unknown>)) {
            if (key === "org.opencontainers.image.version" || key === "org.opencontainers.image.title") continue;
            if (typeof value === "string") out[key] = value;
        }
    }
    return out;
}

function isObject(v: unknown): boolean {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function omitEmpty(o: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0)),
    );
}

function sortedObject<T>(o: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
