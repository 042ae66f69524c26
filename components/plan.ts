import { DifyPluginRegistryArgs } from "./args";
import { pluginRegistryArgsSchema } from "./argsSchema";
import {
    ChartDefaults,
    ChartValuesError,
    defaultsForChartVersion,
    defaultsFromValues,
    knownChartVersions,
    parseChartValues,
    SEMVER,
} from "../engines/difyChart/defaults";
import { checkImageOverrides, checkPython, ConnectorImages, resolveConnectorImages } from "./values/imageKeys";
import { mirroredImageReference } from "../engines/oci/imageReference";
import { checkMirrorImagesArgs, MirrorImagesPlan, planMirrorImages } from "./mirrorImagesPlan";
import { RegistryArgs, RegistryKind, registryKindFor, registryTypes, unknownRegistryTypeProblem } from "./registries";
import { PushCheckPlan, planPushCheck } from "./pushCheckArgs";
import { type ChartLogin, planChartSource } from "./chartSource";
import { checkShape } from "./schema";
import { checkUserValues, deepMerge, isPlainObject, Values } from "./values/chartValues";
import { droppedKeysWarning, readValuesFile } from "./valuesFile";
import {
    ArgumentProblems,
    dns1123LabelProblem,
    helmReleaseNameProblem,
    hostPortProblem,
    InputChecks,
    repositoryPathProblem,
} from "./validation";

/** Keys of earlier versions, with what replaced them. */
const REPLACED_KEYS = (chart: Partial<DifyPluginRegistryArgs["chart"]> | undefined): Record<string, string> => ({
    "chart.defaults":
        "was replaced by chart.defaultValues: the chart version's own values " +
        `(helm show values ${chart?.chart ?? DEFAULT_CHART} --repo ${chart?.repository ?? DEFAULT_REPOSITORY} --version ${chart?.version}), as YAML text or an object`,
});

/** Release namespace when `namespace` is not given. */
export const DEFAULT_NAMESPACE = "dify";
/** Helm repository of the Dify chart when `chart.repository` is not given. */
export const DEFAULT_REPOSITORY = "https://langgenius.github.io/dify-helm";
/** Chart name in that repository when `chart.chart` is not given. */
export const DEFAULT_CHART = "dify";
/** Helm release name when `chart.releaseName` is not given. */
export const DEFAULT_RELEASE_NAME = "dify";

/**
 * The aws-cli image of the component's own jobs (the ECR token refresher, which holds the IAM user's access key) when
 * neither `registry.auth.refresherImage` nor `pluginConnector.images.awsCli` is given: pinned to an AWS CLI v2 release,
 * never `latest`. Moved to `pluginConnector.imageMirror` when one is set.
 */
export const DEFAULT_AWS_CLI_IMAGE = "amazon/aws-cli:2.37.0";

/** How the Dify chart is deployed, resolved. */
export interface ChartPlan {
    readonly kind: "chart" | "release";
    /** The chart's name in `repository`, or `oci://<registry>/<path>` (`chart.chart`, `chart.fromMirror`). */
    readonly chart: string;
    /** The Helm repository; undefined for an OCI chart. */
    readonly repository?: string;
    /** Helm's login to the chart's server (`chart.username`/`password`/`auth`, or the mirror's with `fromMirror`). */
    readonly login?: ChartLogin;
    /** Absolute path of the CA file for the chart's server. */
    readonly caFile?: string;
    /** `helm.v4.Chart`'s `plainHttp`: the mirror the chart is read from speaks plain HTTP. */
    readonly plainHttp?: boolean;
    readonly version: string;
    readonly releaseName: string;
    readonly values: Values | undefined;
    /** `chart.secretValues`: the values are registered as one secret. */
    readonly secretValues: boolean;
    readonly skipAwait: boolean;
    readonly timeout?: number;
}

/** The component's arguments, validated and resolved to what the resources need. Pure: creates nothing. */
export interface PluginRegistryPlan {
    readonly namespace: string;
    readonly createNamespace: boolean;
    readonly registryKind: RegistryKind<RegistryArgs>;
    readonly registry: RegistryArgs;
    readonly chart: ChartPlan;
    /** The image-related `plugin_connector` keys the component sets (none unless overridden, changed or mirrored). */
    readonly connectorImages: ConnectorImages;
    /** The aws-cli image for the component's own jobs (the ECR token refresher), see {@link DEFAULT_AWS_CLI_IMAGE}. */
    readonly awsCliImage: string;
    readonly scheduling: Pick<Values, "nodeSelector" | "affinity" | "tolerations" | "labels">;
    readonly serviceAccounts: { readonly build?: string; readonly runner?: string };
    /** `pluginConnector.mirrorImages`: what the `ImageMirror` child copies, and how images are then pinned. */
    readonly mirror?: MirrorImagesPlan;
    /** `pushCheck`: the registry push check to register, undefined when it is off. */
    readonly pushCheck?: PushCheckPlan;
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

    // Shape first (unknown keys, wrong types), for programs as for stack config; meaning after, on a sound shape.
    checkShape(pluginRegistryArgsSchema, a, problems, "", { replaced: REPLACED_KEYS(a.chart) });
    const registryKind = registryKindFor(a.registry?.type);
    if (registryKind) {
        checkShape(registryKind.configSchema, a.registry, problems, "registry");
    }
    problems.throwIfAny(`DifyPluginRegistry "${name}"`);

    const namespace = a.namespace ?? DEFAULT_NAMESPACE;
    addProblem(problems, "namespace", dns1123LabelProblem(namespace));

    // chart.valuesFile under chart.values: what the registry kind and the chart see is the two merged.
    const userValues = chartValuesWithFile(a.chart, problems, warnings);

    if (!a.registry) {
        problems.add("registry", `is required: one of type ${registryTypes.map((t) => `"${t}"`).join(", ")}`);
    } else if (!registryKind) {
        problems.add("registry.type", unknownRegistryTypeProblem(a.registry.type));
    } else {
        registryKind.validate(a.registry, checks, {
            chartValues: userValues ?? {},
            namespace,
            warn: (message) => warnings.push(message),
        });
    }

    const chart = a.chart ?? ({} as DifyPluginRegistryArgs["chart"]);
    const defaults = chartDefaultsSource(chart, problems);
    checkUserValues(chart.values, problems);
    if (chart.releaseName !== undefined) {
        addProblem(problems, "chart.releaseName", helmReleaseNameProblem(chart.releaseName));
    }
    if (chart.kind !== undefined && chart.kind !== "chart" && chart.kind !== "release") {
        problems.add(
            "chart.kind",
            `must be "chart" (helm.v4.Chart, the default) or "release" (helm.v3.Release), got ${JSON.stringify(chart.kind)}`,
        );
    } else if (chart.timeout !== undefined && chart.kind !== "release") {
        // Refused, not dropped: as with the registry kinds' mode-specific keys, a key the chosen kind cannot use.
        problems.add(
            "chart.timeout",
            'is only used with chart.kind "release" (helm.v3.Release); helm.v4.Chart (kind "chart", the default) has no timeout: ' +
                "set chart.kind: release, or remove chart.timeout",
        );
    }

    const connector = a.pluginConnector ?? {};
    const source = planChartSource(chart, connector, DEFAULT_REPOSITORY, problems);
    const mirror = connector.imageMirror;
    if (mirror !== undefined) {
        addProblem(problems, "pluginConnector.imageMirror", mirrorProblem(mirror));
    }
    const overrides = checkImageOverrides(connector.images, problems);
    const python = checkPython(connector.python, problems);
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

    if (registryKind && problems.isEmpty) {
        checkServiceAccountClash(registryKind, a.registry!, connector.serviceAccounts, problems);
    }
    const github = githubBuilderOf(userValues);
    // The component's own aws-cli jobs: the override, else the pinned default (not the chart's awsCliImage, often `latest`).
    const awsCliSource = overrides.awsCli ?? DEFAULT_AWS_CLI_IMAGE;
    const awsCliJob = problems.isEmpty && registryKind?.usesAwsCliImage?.(a.registry!) === true;
    // Only with every argument valid: a bad mirror or python setting would fail inside the builders.
    const connectorImages = problems.isEmpty ? resolveConnectorImages({ overrides, python, mirror, ...github, defaults }) : undefined;
    const mirrorChart = chartToMirror(chart, connector, problems);
    const mirrorPlan =
        connector.mirrorImages !== undefined && problems.isEmpty
            ? planMirrorImages(
                  connector.mirrorImages,
                  mirror!,
                  {
                      defaults: defaults("pluginConnector.mirrorImages", "to know which images to copy")!,
                      images: overrides,
                      pythonVersions: python?.versions,
                      imageRepoType: a.registry?.type,
                      ...(awsCliJob ? { extraImages: [awsCliSource] } : {}),
                      ...(mirrorChart ? { chart: mirrorChart } : {}),
                      ...github,
                  },
                  problems,
              )
            : undefined;

    const pushCheck = planPushCheck(a.pushCheck, a.registry as { type?: string; auth?: { mode?: string } } | undefined, problems);

    problems.throwIfAny(`DifyPluginRegistry "${name}"`);

    return {
        namespace,
        createNamespace: a.createNamespace ?? true,
        registryKind: registryKind!,
        registry: a.registry!,
        chart: {
            kind: chart.kind ?? "chart",
            ...source!,
            version: chart.version,
            releaseName: chart.releaseName ?? DEFAULT_RELEASE_NAME,
            values: userValues,
            // A values file usually holds passwords (Dify's secretKey, the database's): secret unless said otherwise.
            secretValues: chart.secretValues ?? chart.valuesFile !== undefined,
            skipAwait: chart.skipAwait ?? false,
            timeout: chart.timeout,
        },
        connectorImages: connectorImages!,
        awsCliImage: mirror === undefined ? awsCliSource : mirroredImageReference(awsCliSource, mirror),
        scheduling: {
            nodeSelector: connector.nodeSelector,
            affinity: connector.affinity,
            tolerations: connector.tolerations,
            labels: connector.labels,
        },
        serviceAccounts: { ...connector.serviceAccounts },
        ...(mirrorPlan ? { mirror: mirrorPlan } : {}),
        ...(pushCheck ? { pushCheck } : {}),
        checks,
        warnings,
    };
}

/** `chart.values` over the values of `chart.valuesFile` (when given), or the problem with the file. */
function chartValuesWithFile(
    chart: Partial<DifyPluginRegistryArgs["chart"]> | undefined,
    problems: ArgumentProblems,
    warnings: string[],
): Values | undefined {
    const inline = isPlainObject(chart?.values) ? chart.values : undefined;
    if (chart?.valuesFile === undefined) {
        return inline;
    }
    const file = readValuesFile(chart.valuesFile);
    if ("problem" in file) {
        problems.add("chart.valuesFile", file.problem);
        return inline;
    }
    const warning = droppedKeysWarning(file);
    if (warning !== undefined) {
        warnings.push(warning);
    }
    return deepMerge(file.values, inline ?? {});
}

/**
 * `mirrorImages.chart` (default `chart.fromMirror`): the chart version the image mirror copies too, from the chart's
 * Helm repository (`chart.repository`, default Dify's).
 */
function chartToMirror(
    chart: Partial<DifyPluginRegistryArgs["chart"]>,
    connector: NonNullable<DifyPluginRegistryArgs["pluginConnector"]>,
    problems: ArgumentProblems,
): { repository: string; name: string; version: string } | undefined {
    const mirrorImages = connector.mirrorImages;
    if (mirrorImages === undefined || !(mirrorImages.chart ?? chart.fromMirror === true)) return undefined;
    if (typeof chart.chart === "string" && chart.chart.startsWith("oci://")) {
        problems.add(
            "pluginConnector.mirrorImages.chart",
            `copies the chart from a Helm repository (chart.repository), and chart.chart ${JSON.stringify(chart.chart)} is an OCI reference; copy it with skopeo or oras, or drop mirrorImages.chart`,
        );
        return undefined;
    }
    return { repository: chart.repository ?? DEFAULT_REPOSITORY, name: chart.chart ?? DEFAULT_CHART, version: chart.version! };
}

function addProblem(problems: ArgumentProblems, path: string, reason: string | undefined): void {
    if (reason !== undefined) {
        problems.add(path, reason);
    }
}

/**
 * Validates `chart.version` and `chart.defaultValues` now, and returns how to get the version's defaults later: they
 * are needed only to move or change images, and asking records a problem at the argument that needs them.
 */
function chartDefaultsSource(
    chart: Partial<DifyPluginRegistryArgs["chart"]>,
    problems: ArgumentProblems,
): (neededBy: string, why: string) => ChartDefaults | undefined {
    const version = chart.version;
    const validVersion = typeof version === "string" && SEMVER.test(version);
    if (!validVersion) {
        problems.add("chart.version", `must be a pinned semver version such as "3.9.1", got ${JSON.stringify(version)}`);
    }
    let given: ChartDefaults | undefined;
    let givenInvalid = false;
    if (chart.defaultValues !== undefined) {
        try {
            given = defaultsFromValues(parseChartValues(chart.defaultValues));
        } catch (err) {
            if (!(err instanceof ChartValuesError)) throw err;
            problems.add("chart.defaultValues", `${err.message}; expected the output of \`${showValues(chart)}\``);
            givenInvalid = true;
        }
    }
    return (neededBy, why) => {
        if (given !== undefined || givenInvalid || !validVersion) {
            return given;
        }
        const known = defaultsForChartVersion(version);
        if (known === undefined) {
            problems.add(
                neededBy,
                `needs chart ${version}'s own plugin_connector defaults ${why}, and the component's table has no entry for ` +
                    `${version} (exact versions only: ${knownChartVersions.join(", ")}); give chart.defaultValues, the output of ` +
                    `\`${showValues(chart)}\` (in stack config: chart.defaultValuesFile)`,
            );
        }
        return known;
    };
}

function showValues(chart: Partial<DifyPluginRegistryArgs["chart"]>): string {
    if (typeof chart.chart === "string" && chart.chart.startsWith("oci://"))
        return `helm show values ${chart.chart} --version ${chart.version}`;
    return `helm show values ${chart.chart ?? DEFAULT_CHART} --repo ${chart.repository ?? DEFAULT_REPOSITORY} --version ${chart.version}`;
}

/** Whether `chart.values` selects the GitHub Actions builder, and the `github.shaderImage` it sets. */
function githubBuilderOf(values: unknown): { githubBuilder: boolean; githubShaderImage?: string } {
    const connector = isPlainObject(values) && isPlainObject(values.plugin_connector) ? values.plugin_connector : {};
    const github = isPlainObject(connector.github) ? connector.github : {};
    return {
        githubBuilder: connector.builderName === GITHUB_BUILDER,
        ...(typeof github.shaderImage === "string" ? { githubShaderImage: github.shaderImage } : {}),
    };
}

/** `plugin_connector.builderName` of the GitHub Actions builder (the chart's default is `kaniko`). */
export const GITHUB_BUILDER = "github";

/** ServiceAccounts the kind creates may not be named differently in `pluginConnector.serviceAccounts`. */
function checkServiceAccountClash(
    kind: RegistryKind<RegistryArgs>,
    registry: RegistryArgs,
    given: { readonly build?: string; readonly runner?: string } | undefined,
    problems: ArgumentProblems,
): void {
    const created = kind.serviceAccountNames?.(registry) ?? {};
    for (const role of ["build", "runner"] as const) {
        const mine = created[role];
        if (mine !== undefined && given?.[role] !== undefined && given[role] !== mine) {
            const mode = (registry as { auth?: { mode?: string } }).auth?.mode;
            problems.add(
                `pluginConnector.serviceAccounts.${role}`,
                `"${given[role]}" conflicts with the ServiceAccount "${mine}" that registry type "${kind.type}"` +
                    `${mode !== undefined || kind.type === "ecr" ? ` (auth.mode ${mode ?? "irsa"})` : ""} creates for ${role} pods; ` +
                    `remove it, or name that ServiceAccount with registry.serviceAccounts.${role}`,
            );
        }
    }
}

/** `registry.example.com/mirror`: a host with a path, no scheme, no tag. */
function mirrorProblem(mirror: string): string | undefined {
    if (typeof mirror !== "string") {
        return "must be a string such as `registry.example.com/dify-mirror`";
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(mirror)) {
        return `"${mirror}" has a scheme; give \`<registry host>[/<path>]\` such as \`registry.example.com/dify-mirror\``;
    }
    const slash = mirror.indexOf("/");
    const host = slash < 0 ? mirror : mirror.slice(0, slash);
    const hostProblem = hostPortProblem(host);
    if (hostProblem !== undefined) {
        return `${hostProblem}; expected \`<registry host>[/<path>]\` such as \`registry.example.com/dify-mirror\``;
    }
    return slash < 0 ? undefined : repositoryPathProblem(mirror.slice(slash + 1));
}
