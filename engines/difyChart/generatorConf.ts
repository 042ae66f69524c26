import * as YAML from "yaml";
import type { PythonDefaults } from "./defaults/types";
import { isPlainObject } from "./values";

/** What a `generatorConf` holds that the component reads: `generator.repo` and `generator.python`. */
export interface GeneratorConf {
    readonly repo: string;
    readonly python: PythonDefaults;
}

/** A change of the python generator: settings to replace, build bases to set (`null` removes one), and a mirror. */
export interface GeneratorConfEdit {
    readonly pipMirror?: string;
    readonly preCompile?: boolean;
    /** `3.N` → build base image, merged over the chart's; `null` removes the version. */
    readonly versions?: Readonly<Record<string, string | null>>;
    /** Applied to every build base image after the merge (moves them to a mirror, pins digests). */
    readonly mapImage?: (image: string) => string;
}

/**
 * Reads a `generatorConf` string (`generator: { repo, python: { pipMirror, preCompile, versions: { python3.N:
 * { <repo>: <image> } } } }`). Throws an Error saying what is missing when the document does not have that shape.
 */
export function parseGeneratorConf(conf: string): GeneratorConf {
    let doc: unknown;
    try {
        doc = YAML.parse(conf);
    } catch (err) {
        throw new Error(`is not YAML (${firstLine(err)})`);
    }
    const generator = isPlainObject(doc) ? doc.generator : undefined;
    if (!isPlainObject(generator)) {
        throw new Error("has no `generator` map");
    }
    const { repo, python } = generator;
    if (typeof repo !== "string" || repo === "") {
        throw new Error("has no `generator.repo` string");
    }
    if (!isPlainObject(python) || !isPlainObject(python.versions)) {
        throw new Error("has no `generator.python.versions` map");
    }
    const versions: Record<string, string> = {};
    for (const [key, byRepo] of Object.entries(python.versions)) {
        const image = isPlainObject(byRepo) ? byRepo[repo] : undefined;
        if (!/^python3\.\d+$/.test(key) || typeof image !== "string") {
            throw new Error(`has a \`generator.python.versions.${key}\` that is not \`python3.N: { ${repo}: <image> }\``);
        }
        versions[key.slice("python".length)] = image;
    }
    return {
        repo,
        python: {
            pipMirror: typeof python.pipMirror === "string" ? python.pipMirror : "",
            preCompile: typeof python.preCompile === "boolean" ? python.preCompile : true,
            versions,
        },
    };
}

/**
 * The chart version's own `generatorConf` with `edit` applied. Everything else in the document (keys the component
 * does not know, their order, comments) is kept as the chart wrote it; only the changed values are rewritten.
 * `conf` must parse with {@link parseGeneratorConf}.
 */
export function editGeneratorConf(conf: string, edit: GeneratorConfEdit): string {
    // Many instances apply the same edit; parsing and printing YAML is the costly part.
    const key = edit.mapImage ? undefined : JSON.stringify([conf, edit.pipMirror, edit.preCompile, edit.versions]);
    const cached = key === undefined ? undefined : cache.get(key);
    if (cached !== undefined) {
        return cached;
    }
    const { repo, python } = parseGeneratorConf(conf);
    const doc = YAML.parseDocument(conf);
    if (edit.pipMirror !== undefined) doc.setIn(["generator", "python", "pipMirror"], edit.pipMirror);
    if (edit.preCompile !== undefined) doc.setIn(["generator", "python", "preCompile"], edit.preCompile);
    const versions: Record<string, string | null> = { ...python.versions, ...edit.versions };
    if (edit.versions !== undefined && Object.keys(edit.versions).some((v) => !Object.hasOwn(python.versions, v))) {
        // A version the chart does not list: rebuild the map newest first, as the chart orders it.
        const ordered = Object.keys(versions).sort((a, b) => minor(b) - minor(a));
        doc.setIn(
            ["generator", "python", "versions"],
            doc.createNode(
                Object.fromEntries(ordered.filter((v) => versions[v] !== null).map((v) => [`python${v}`, { [repo]: versions[v] }])),
            ),
        );
    }
    for (const [version, image] of Object.entries(versions)) {
        const path = ["generator", "python", "versions", `python${version}`];
        if (image === null) {
            doc.deleteIn(path);
        } else {
            const target = edit.mapImage ? edit.mapImage(image) : image;
            if (target !== python.versions[version]) doc.setIn([...path, repo], target);
        }
    }
    const out = doc.toString({ lineWidth: 0 });
    if (key !== undefined) cache.set(key, out);
    return out;
}

const cache = new Map<string, string>();

function minor(version: string): number {
    return Number(version.split(".")[1]);
}

function firstLine(err: unknown): string {
    return String((err as Error).message ?? err).split("\n")[0];
}
