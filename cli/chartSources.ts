/**
 * The images a chart version needs, for `mirror --chart-version / --chart-values`. Its own module, loaded only when
 * one of those is given: it brings the YAML parser, about a third of the command's start-up.
 */
import { defaultsForChartVersion, defaultsFromValues, parseChartValues, type ChartDefaults } from "../engines/difyChart/defaults";
import { chartImageSet } from "../engines/difyChart/images";
import { readUserFile } from "./paths";
import { UsageError } from "./usageError";

/** The chart options of the command line. */
export interface ChartSourceOptions {
    readonly chartVersion?: string;
    readonly chartValues?: string;
    readonly includeAwsCli: boolean;
    readonly githubBuilder: boolean;
    readonly allChartImages: boolean;
}

/** Source references of the chart's images (helpers, python bases, and with `allChartImages` every image it names). */
export function chartSources(options: ChartSourceOptions): string[] {
    const chart = chartValuesOf(options);
    if (chart === undefined) return [];
    return chartImageSet({
        defaults: chart.defaults,
        includeAwsCli: options.includeAwsCli,
        githubBuilder: options.githubBuilder,
        chartValues: options.allChartImages ? chart.values : undefined,
    });
}

/** The chart version's defaults (from `--chart-values`, else the table) and its values file, if one was given. */
function chartValuesOf(options: ChartSourceOptions): { defaults: ChartDefaults; values?: unknown } | undefined {
    if (options.chartValues === undefined) {
        return options.chartVersion === undefined ? undefined : { defaults: defaultsForChartVersion(options.chartVersion)! };
    }
    // Absolute already (the command line's parser resolved it against the user's directory).
    const text = readUserFile("--chart-values", options.chartValues, options.chartValues);
    try {
        const values = parseChartValues(text);
        return { defaults: defaultsFromValues(values), values };
    } catch (e) {
        throw new UsageError(
            `--chart-values ${options.chartValues} ${(e as Error).message} (expected: helm show values dify/dify --version X)`,
        );
    }
}
