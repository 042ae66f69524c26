/**
 * What is inside a chart package (`<name>-<version>.tgz`, as `helm package` writes it): its `Chart.yaml`, read from the
 * gzipped tar without unpacking anything else.
 */
import { gunzipSync } from "node:zlib";

/** The Chart.yaml of a package (the top-level chart's, `<dir>/Chart.yaml`), parsed. */
export function chartMetadata(tgz: Buffer, what: string): Record<string, unknown> {
    let tar: Buffer;
    try {
        tar = gunzipSync(tgz);
    } catch (err) {
        throw new Error(`${what}: not a gzipped chart package (${(err as Error).message})`);
    }
    for (let offset = 0; offset + 512 <= tar.length; ) {
        const header = tar.subarray(offset, offset + 512);
        if (header.every((b) => b === 0)) break;
        const name = field(header, 0, 100);
        const prefix = field(header, 345, 155);
        const size = Number.parseInt(field(header, 124, 12).trim() || "0", 8);
        const type = String.fromCharCode(header[156] || 48);
        const full = prefix ? `${prefix}/${name}` : name;
        const body = offset + 512;
        // Regular files only; one directory deep, like Helm's loader (`dify/Chart.yaml`, not a subchart's).
        if ((type === "0" || type === "\0") && /^[^/]+\/Chart\.yaml$/.test(full)) {
            const text = tar.subarray(body, body + size).toString("utf8");
            const doc = yaml().parse(text) as unknown;
            if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new Error(`${what}: ${full} is not a YAML mapping`);
            return doc as Record<string, unknown>;
        }
        offset = body + Math.ceil(size / 512) * 512;
    }
    throw new Error(`${what}: no Chart.yaml in the package`);
}

function field(header: Buffer, start: number, length: number): string {
    const raw = header.subarray(start, start + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end < 0 ? length : end).toString("utf8");
}

/**
 * The `yaml` module, required when called: the image mirror's dynamic provider is serialized with what it captures, and
 * a captured `yaml` namespace cannot be (its functions live in files its package.json `exports` hide).
 */
export function yaml(): typeof import("yaml") {
    return require("yaml") as typeof import("yaml");
}
