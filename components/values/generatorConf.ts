import * as YAML from "yaml";
import { PythonDefaults } from "../chartDefaults";

/** The python generator settings after defaults, overrides and the mirror are applied. */
export interface PythonSettings {
    readonly pipMirror: string;
    readonly preCompile: boolean;
    /** `3.N` → build base image. */
    readonly versions: Readonly<Record<string, string>>;
}

/**
 * `plugin_connector.generatorConf`: the chart takes a YAML document inside a string, shaped
 * `generator: { repo, python: { pipMirror, preCompile, versions: { python3.N: { <repo>: <image> } } } }`.
 */
export function buildGeneratorConf(repo: string, python: PythonSettings): string {
    // Many instances share the same settings; YAML.stringify is the costly part of planning one.
    const key = JSON.stringify([repo, python.pipMirror, python.preCompile, Object.entries(python.versions)]);
    let conf = cache.get(key);
    if (conf === undefined) {
        conf = render(repo, python);
        cache.set(key, conf);
    }
    return conf;
}

const cache = new Map<string, string>();

function render(repo: string, python: PythonSettings): string {
    const versions: Record<string, Record<string, string>> = {};
    for (const [version, image] of sortVersionsNewestFirst(Object.entries(python.versions))) {
        versions[`python${version}`] = { [repo]: image };
    }
    const doc = { generator: { repo, python: { pipMirror: python.pipMirror, preCompile: python.preCompile, versions } } };
    return YAML.stringify(doc, { lineWidth: 0 });
}

/** The chart lists versions newest first; keeping that order keeps diffs against its defaults small. */
function sortVersionsNewestFirst(entries: [string, string][]): [string, string][] {
    const minor = (v: string) => Number(v.split(".")[1]);
    return [...entries].sort((a, b) => minor(b[0]) - minor(a[0]));
}

/** Reads a `generatorConf` string back into its parts (the inverse of {@link buildGeneratorConf}). */
export function parseGeneratorConf(conf: string): { repo: string; python: PythonDefaults } {
    const doc = YAML.parse(conf) as {
        generator: { repo: string; python: { pipMirror: string; preCompile: boolean; versions: Record<string, Record<string, string>> } };
    };
    const { repo, python } = doc.generator;
    const versions: Record<string, string> = {};
    for (const [key, byRepo] of Object.entries(python.versions)) {
        versions[key.replace(/^python/, "")] = byRepo[repo];
    }
    return { repo, python: { pipMirror: python.pipMirror, preCompile: python.preCompile, versions } };
}
