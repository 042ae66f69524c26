/**
 * The `plugin_connector` defaults of each known `dify/dify` chart series: helper images and python build bases.
 *
 * Kept in source (the program never reads the fixtures at run time) and held against the chart's own default values by
 * `test/chartDefaults.contract.test.ts`. A series is matched by major.minor; `verifiedWith` names the chart version
 * whose values.yaml the entry was checked against.
 */

/** Helper images the plugin connector runs beside each plugin build. */
export interface HelperImages {
    /** `gatewayImage`: the nginx in front of each plugin runner. */
    readonly gateway: string;
    /** `shaderImage`: the kaniko executor that builds plugin images inside the cluster. */
    readonly shader: string;
    /** `busyBoxImage`: init containers. */
    readonly busyBox: string;
    /** `awsCliImage`: used with `imageRepoType: ecr` to create repositories. */
    readonly awsCli: string;
}

/** Defaults of the python generator (`generatorConf`). */
export interface PythonDefaults {
    readonly pipMirror: string;
    readonly preCompile: boolean;
    /** `3.N` → build base image reference, newest first (the chart's order). */
    readonly versions: Readonly<Record<string, string>>;
}

/** Everything the component needs from a chart version's default values. */
export interface ChartDefaults {
    readonly images: HelperImages;
    /** `generator.repo` in `generatorConf`. */
    readonly generatorRepo: string;
    readonly python: PythonDefaults;
}

interface SeriesDefaults extends ChartDefaults {
    /** `major.minor` */
    readonly series: string;
    readonly verifiedWith: string;
}

const base = "docker.io/langgenius/plugin-build-base-python";
const commonImages = {
    shader: "gcr.io/kaniko-project/executor:latest",
    busyBox: "busybox:latest",
    awsCli: "amazon/aws-cli:latest",
};
const pythonBases = (tags: string[]): Record<string, string> =>
    Object.fromEntries(tags.map((tag) => [tag.replace(/-.*$/, ""), `${base}:${tag}`]));

const table: readonly SeriesDefaults[] = [
    {
        series: "3.5",
        verifiedWith: "3.5.5",
        images: { gateway: "nginx:1.27.3", ...commonImages },
        generatorRepo: "langgenius",
        python: { pipMirror: "", preCompile: true, versions: pythonBases(["3.13", "3.12", "3.11", "3.10"]) },
    },
    {
        series: "3.7",
        verifiedWith: "3.7.4",
        images: { gateway: "nginx:1.29.4-alpine", ...commonImages },
        generatorRepo: "langgenius",
        python: { pipMirror: "", preCompile: true, versions: pythonBases(["3.13", "3.12", "3.11", "3.10"]) },
    },
    {
        series: "3.9",
        verifiedWith: "3.9.1",
        images: { gateway: "nginx:1.29.4-alpine", ...commonImages },
        generatorRepo: "langgenius",
        python: {
            pipMirror: "",
            preCompile: true,
            versions: pythonBases(["3.14-secure", "3.13-secure", "3.12-secure"]),
        },
    },
];

/** Strict semver 2.0 (no ranges, no leading `v`): charts are pinned, not floated. */
export const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** The chart series with known defaults, e.g. `["3.5.x", "3.7.x", "3.9.x"]`. */
export const knownSeries: readonly string[] = table.map((t) => `${t.series}.x`);

/** Defaults for a pinned chart version, or undefined when its series is not in the table. */
export function defaultsForChartVersion(version: string): ChartDefaults | undefined {
    const match = SEMVER.exec(version);
    if (!match) {
        return undefined;
    }
    const entry = table.find((t) => t.series === `${match[1]}.${match[2]}`);
    if (!entry) {
        return undefined;
    }
    // A deep copy: callers may change what they get without changing the table.
    const { series: _series, verifiedWith: _verified, ...defaults } = structuredClone(entry);
    return defaults;
}

/** The chart version each series entry was checked against (for the contract tests and docs). */
export function verifiedVersions(): readonly string[] {
    return table.map((t) => t.verifiedWith);
}
