import { DifyPluginRegistryArgs, PythonArgs } from "./args";
import { ChartDefaults, defaultsForChartVersion, HelperImages, knownSeries, SEMVER } from "./chartDefaults";
import { mirroredImageReference } from "./imageReference";
import { checkMirrorImagesArgs, MirrorImagesPlan, planMirrorImages } from "./mirrorImages";
import { RegistryArgs, RegistryKind, registryKindFor, registryTypes } from "./registries";
import { checkUserValues, isPlainObject, Values } from "./values/chartValues";
import { buildGeneratorConf, PythonSettings } from "./values/generatorConf";
import { ArgumentProblems, dns1123LabelProblem, InputChecks, repositoryPathProblem, hostPortProblem } from "./validation";

/** Release namespace when `namespace` is not given. */
export const DEFAULT_NAMESPACE = "dify";
/** Helm repository of the Dify chart when `chart.repository` is not given. */
export const DEFAULT_REPOSITORY = "https://langgenius.github.io/dify-helm";
/** Chart name in that repository when `chart.chart` is not given. */
export const DEFAULT_CHART = "dify";
/** Helm release name when `chart.releaseName` is not given. */
export const DEFAULT_RELEASE_NAME = "dify";

/** The component's arguments, validated and resolved to what the resources need. Pure: creates nothing. */
export interface PluginRegistryPlan {
    readonly namespace: string;
    readonly createNamespace: boolean;
    readonly registryKind: RegistryKind<RegistryArgs>;
    readonly registry: RegistryArgs;
    readonly chart: {
        readonly kind: "chart" | "release";
        readonly chart: string;
        readonly repository: string;
        readonly version: string;
        readonly releaseName: string;
        readonly values: Values | undefined;
        readonly skipAwait: boolean;
        readonly timeout?: number;
    };
    readonly images: HelperImages;
    readonly generatorConf: string;
    readonly scheduling: Pick<Values, "nodeSelector" | "affinity" | "tolerations" | "labels">;
    readonly serviceAccounts: { readonly build?: string; readonly runner?: string };
    /** `pluginConnector.mirrorImages`: what the `ImageMirror` child copies, and how images are then pinned. */
    readonly mirror?: MirrorImagesPlan;
    /** Checks of Output-valued arguments that run when they resolve; children wait on `checks.gate()`. */
    readonly checks: InputChecks;
    /** Things worth telling the user that do not stop the deployment. */
    readonly warnings: readonly string[];
}

/**
 * Validates `args` and resolves defaults. Throws `pulumi.InputPropertiesError` listing every problem found in plain
 * values; problems in Output values surface through `checks.gate()`.
 */
export function planPluginRegistry(name: string, args: DifyPluginRegistryArgs | undefined): PluginRegistryPlan {
    const problems = new ArgumentProblems();
    const checks = new InputChecks(problems);
    const warnings: string[] = [];
    const a = (args ?? {}) as Partial<DifyPluginRegistryArgs>;

    const namespace = a.namespace ?? DEFAULT_NAMESPACE;
    addProblem(problems, "namespace", dns1123LabelProblem(namespace));

    const registryKind = registryKindFor(a.registry?.type);
    if (!a.registry) {
        problems.add("registry", `is required: one of type ${registryTypes.map((t) => `"${t}"`).join(", ")}`);
    } else if (!registryKind) {
        problems.add(
            "registry.type",
            `unknown registry type ${JSON.stringify(a.registry.type)}; valid types: ${registryTypes.map((t) => `"${t}"`).join(", ")}`,
        );
    } else {
        registryKind.validate(a.registry, checks, {
            chartValues: isPlainObject(a.chart?.values) ? a.chart.values : {},
            namespace,
            warn: (message) => warnings.push(message),
        });
    }

    const chart = a.chart ?? ({} as DifyPluginRegistryArgs["chart"]);
    const defaults = chartDefaults(chart, problems);
    checkUserValues(chart.values, problems);
    if (chart.kind !== undefined && chart.kind !== "chart" && chart.kind !== "release") {
        problems.add(
            "chart.kind",
            `must be "chart" (helm.v4.Chart, the default) or "release" (helm.v3.Release), got ${JSON.stringify(chart.kind)}`,
        );
    }

    const connector = a.pluginConnector ?? {};
    const mirror = connector.imageMirror;
    if (mirror !== undefined) {
        addProblem(problems, "pluginConnector.imageMirror", mirrorProblem(mirror));
    }
    const images = resolveImages(defaults, connector.images, mirror, problems);
    const python = resolvePython(defaults, connector.python, mirror, problems);
    if (connector.mirrorImages !== undefined) {
        checkMirrorImagesArgs(connector.mirrorImages, mirror, problems);
    }
    for (const key of ["nodeSelector", "labels", "affinity"] as const) {
        if (connector[key] !== undefined && !isPlainObject(connector[key])) {
            problems.add(`pluginConnector.${key}`, "must be an object");
        }
    }
    if (connector.tolerations !== undefined && !Array.isArray(connector.tolerations)) {
        problems.add("pluginConnector.tolerations", "must be a list of tolerations");
    }

    // Only with every argument valid: the plan parses every image reference, and says which one when it cannot.
    const mirrorPlan =
        connector.mirrorImages !== undefined && problems.isEmpty
            ? planMirrorImages(
                  connector.mirrorImages,
                  mirror!,
                  {
                      chartVersion: chart.version,
                      defaults,
                      images: connector.images,
                      pythonVersions: connector.python?.versions,
                      imageRepoType: a.registry?.type,
                      python,
                  },
                  problems,
              )
            : undefined;

    problems.throwIfAny(`DifyPluginRegistry "${name}"`);

    return {
        namespace,
        createNamespace: a.createNamespace ?? true,
        registryKind: registryKind!,
        registry: a.registry!,
        chart: {
            kind: chart.kind ?? "chart",
            chart: chart.chart ?? DEFAULT_CHART,
            repository: chart.repository ?? DEFAULT_REPOSITORY,
            version: chart.version,
            releaseName: chart.releaseName ?? DEFAULT_RELEASE_NAME,
            values: chart.values,
            skipAwait: chart.skipAwait ?? false,
            timeout: chart.timeout,
        },
        images,
        generatorConf: buildGeneratorConf(defaults!.generatorRepo, python),
        scheduling: {
            nodeSelector: connector.nodeSelector,
            affinity: connector.affinity,
            tolerations: connector.tolerations,
            labels: connector.labels,
        },
        serviceAccounts: { ...connector.serviceAccounts },
        ...(mirrorPlan ? { mirror: mirrorPlan } : {}),
        checks,
        warnings,
    };
}

function addProblem(problems: ArgumentProblems, path: string, reason: string | undefined): void {
    if (reason !== undefined) {
        problems.add(path, reason);
    }
}

function chartDefaults(chart: Partial<DifyPluginRegistryArgs["chart"]>, problems: ArgumentProblems): ChartDefaults {
    if (typeof chart.version !== "string" || !SEMVER.test(chart.version)) {
        problems.add("chart.version", `must be a pinned semver version such as "3.7.4", got ${JSON.stringify(chart.version)}`);
        return chart.defaults ?? placeholderDefaults;
    }
    if (chart.defaults) {
        return chart.defaults;
    }
    const known = defaultsForChartVersion(chart.version);
    if (!known) {
        problems.add(
            "chart.version",
            `${chart.version} has no known plugin_connector defaults (known: ${knownSeries.join(", ")}); ` +
                "give chart.defaults (helper images and python build bases) for it",
        );
        return placeholderDefaults;
    }
    return known;
}

// Lets validation go on (and report every problem) when the chart version is unusable.
const placeholderDefaults: ChartDefaults = {
    images: { gateway: "", shader: "", busyBox: "", awsCli: "" },
    generatorRepo: "langgenius",
    python: { pipMirror: "", preCompile: true, versions: {} },
};

/** `registry.example.com/mirror`: a host with a path, no scheme, no tag. */
function mirrorProblem(mirror: string): string | undefined {
    if (typeof mirror !== "string") {
        return "must be a string such as `registry.example.com/dify-mirror`";
    }
    const slash = mirror.indexOf("/");
    const host = slash < 0 ? mirror : mirror.slice(0, slash);
    const hostProblem = hostPortProblem(host);
    if (hostProblem !== undefined) {
        return `${hostProblem}; expected \`<registry host>[/<path>]\` such as \`registry.example.com/dify-mirror\``;
    }
    return slash < 0 ? undefined : repositoryPathProblem(mirror.slice(slash + 1));
}

const IMAGE_KEYS: readonly (keyof HelperImages)[] = ["gateway", "shader", "busyBox", "awsCli"];

function resolveImages(
    defaults: ChartDefaults,
    overrides: Partial<HelperImages> | undefined,
    mirror: string | undefined,
    problems: ArgumentProblems,
): HelperImages {
    const images = { ...defaults.images };
    for (const [key, value] of Object.entries(overrides ?? {})) {
        if (!IMAGE_KEYS.includes(key as keyof HelperImages)) {
            problems.add(`pluginConnector.images.${key}`, `unknown helper image; valid keys: ${IMAGE_KEYS.join(", ")}`);
        } else if (typeof value !== "string" || value.trim() === "" || /\s/.test(value)) {
            problems.add(`pluginConnector.images.${key}`, "must be an image reference such as `registry.example.com/nginx:1.29.4-alpine`");
        } else {
            images[key as keyof HelperImages] = value;
        }
    }
    return mirror === undefined ? images : mapValues(images, (ref) => mirroredImageReference(ref, mirror));
}

function resolvePython(
    defaults: ChartDefaults,
    python: PythonArgs | undefined,
    mirror: string | undefined,
    problems: ArgumentProblems,
): PythonSettings {
    const versions: Record<string, string> = { ...defaults.python.versions };
    for (const [version, image] of Object.entries(python?.versions ?? {})) {
        if (!/^3\.(0|[1-9]\d*)$/.test(version)) {
            problems.add(`pluginConnector.python.versions.${version}`, `python version keys are "3.N" (e.g. "3.12"), got "${version}"`);
        } else if (image === null) {
            delete versions[version];
        } else if (typeof image !== "string" || image.trim() === "") {
            problems.add(
                `pluginConnector.python.versions.${version}`,
                "must be a build base image reference, or null to remove the version",
            );
        } else {
            versions[version] = image;
        }
    }
    if (python?.pipMirror !== undefined && typeof python.pipMirror !== "string") {
        problems.add("pluginConnector.python.pipMirror", "must be a URL string");
    }
    if (python?.preCompile !== undefined && typeof python.preCompile !== "boolean") {
        problems.add("pluginConnector.python.preCompile", "must be true or false");
    }
    return {
        pipMirror: python?.pipMirror ?? defaults.python.pipMirror,
        preCompile: python?.preCompile ?? defaults.python.preCompile,
        versions: mirror === undefined ? versions : mapValues(versions, (ref) => mirroredImageReference(ref, mirror)),
    };
}

function mapValues<T extends object>(obj: T, fn: (v: string) => string): T {
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v as string)])) as T;
}
