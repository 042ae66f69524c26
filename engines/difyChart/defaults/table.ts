/**
 * A table version's defaults, parsed from its excerpt in `knownVersions.json` (see `versions.ts`) once per process.
 */
import { defaultsFromValues } from "./fromValues";
import type { ChartDefaults } from "./types";
import { tableValuesFor } from "./versions";

export {
    KNOWN_VERSIONS_FILE,
    type KnownVersionsFile,
    SEMVER,
    compareVersions,
    knownChartVersions,
    isKnownChartVersion,
    tableValuesFor,
} from "./versions";

const parsed = new Map<string, ChartDefaults>();

/** Defaults of exactly this chart version, or undefined when its values were never seen. */
export function defaultsForChartVersion(version: string): ChartDefaults | undefined {
    let defaults = parsed.get(version);
    if (defaults === undefined) {
        const values = tableValuesFor(version);
        if (values === undefined) return undefined;
        defaults = defaultsFromValues(values);
        parsed.set(version, defaults);
    }
    return defaults;
}
