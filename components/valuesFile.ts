import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { IMAGE_REPO_SECRET, isPlainObject, MANAGED_PLUGIN_CONNECTOR_KEYS, Values } from "./values/chartValues";

/** `chart.valuesFile` read: its values without the keys the component owns, and what was dropped (for a warning). */
export interface ValuesFile {
    /** The absolute path that was read. */
    readonly resolved: string;
    readonly values: Values;
    /** `plugin_connector.<key>` paths removed because the component owns them. */
    readonly dropped: readonly string[];
}

/** `file` as an absolute path: relative paths resolve against `cwd`, the program's (the Pulumi project directory). */
export function resolveValuesFile(file: string, cwd: string = process.cwd()): string {
    return path.resolve(cwd, file);
}

/**
 * Reads a Dify values.yaml given as `chart.valuesFile`. Returns the reason it cannot be used — naming the resolved
 * path — instead of throwing, so the caller reports it under its own key (`chart.valuesFile`, or the stack config's).
 */
export function readValuesFile(file: string, cwd: string = process.cwd()): ValuesFile | { readonly problem: string } {
    const resolved = resolveValuesFile(file, cwd);
    let text: string;
    try {
        text = fs.readFileSync(resolved, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a file" : (err as Error).message;
        return { problem: `${reason}: ${resolved} (a relative path resolves against ${cwd})` };
    }
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch (err) {
        return { problem: `is not YAML: ${resolved}: ${String((err as Error).message).split("\n")[0]}` };
    }
    // An empty file is an empty set of values, as for `helm -f`.
    if (doc === null || doc === undefined) {
        doc = {};
    }
    if (!isPlainObject(doc)) {
        return {
            problem: `must be a map of Helm values (a values.yaml), got a YAML ${Array.isArray(doc) ? "list" : typeof doc}: ${resolved}`,
        };
    }
    return { resolved, ...withoutOwnedKeys(doc) };
}

/**
 * The file's values with the `plugin_connector` keys the component owns removed (`MANAGED_PLUGIN_CONNECTOR_KEYS`):
 * those come from the component's arguments only, whether or not it writes them, so an existing values.yaml (which
 * holds imageRepoPrefix, imageRepoType, …) is used as it is. `imageRepoSecret` naming the fixed Secret is not reported.
 */
function withoutOwnedKeys(doc: Values): { values: Values; dropped: string[] } {
    const connector = doc.plugin_connector;
    if (!isPlainObject(connector)) {
        return { values: doc, dropped: [] };
    }
    const kept: Values = {};
    const dropped: string[] = [];
    for (const [key, value] of Object.entries(connector)) {
        if (!Object.hasOwn(MANAGED_PLUGIN_CONNECTOR_KEYS, key)) {
            Object.defineProperty(kept, key, { value, enumerable: true, writable: true, configurable: true });
        } else if (!(key === "imageRepoSecret" && value === IMAGE_REPO_SECRET)) {
            dropped.push(`plugin_connector.${key}`);
        }
    }
    return { values: { ...doc, plugin_connector: kept }, dropped };
}

/** The warning for keys dropped from the file, each with the argument that sets it. */
export function droppedKeysWarning(file: ValuesFile): string | undefined {
    if (file.dropped.length === 0) {
        return undefined;
    }
    const each = file.dropped.map((p) => `${p} (${MANAGED_PLUGIN_CONNECTOR_KEYS[p.slice("plugin_connector.".length)]})`);
    return (
        `chart.valuesFile ${file.resolved}: ignored ${each.join(", ")}: the component owns these plugin_connector keys ` +
        "and sets them from the arguments named; every other value in the file reaches the chart as it is"
    );
}
