/**
 * The images a Dify chart version needs in a mirror: the plugin connector's helper images, every python build base of
 * its `generatorConf`, the GitHub builder's kaniko when that builder is selected, and optionally every image the
 * chart's values name (`allChartImages`). All read from the version's own defaults, never guessed.
 */
import * as fs from "node:fs";
import * as YAML from "yaml";
import type { ChartDefaults, HelperImages } from "./defaults";

/** Which images to mirror; mirrors the component's `pluginConnector` arguments. */
export interface ChartImageSetOptions {
    /** The chart version's defaults (`chart.defaultValues`, or the exact-version table). */
    readonly defaults: ChartDefaults;
    /** Helper image overrides (`pluginConnector.images`). */
    readonly images?: Partial<HelperImages>;
    /** Build bases merged over the defaults, `null` removes one (`pluginConnector.python.versions`). */
    readonly pythonVersions?: Readonly<Record<string, string | null>>;
    /** `awsCliImage` is only pulled with `imageRepoType: ecr`. Default false. */
    readonly includeAwsCli?: boolean;
    /** The GitHub Actions builder is selected: its `github.shaderImage` is needed too. Default false. */
    readonly githubBuilder?: boolean;
    /** `github.shaderImage` the user set in `chart.values`, instead of the version's. */
    readonly githubShaderImage?: string;
    /** `allChartImages`: the chart's default values (parsed); every `<block>.image` they name is added. */
    readonly chartValues?: unknown;
}

/** Source references of every image to mirror, without duplicates, helpers first. */
export function chartImageSet(options: ChartImageSetOptions): string[] {
    const helpers = { ...options.defaults.images, ...options.images };
    const images = [helpers.gateway, helpers.shader, helpers.busyBox, ...(options.includeAwsCli ? [helpers.awsCli] : [])];
    if (options.githubBuilder) images.push(options.githubShaderImage ?? options.defaults.githubShaderImage);
    const python: Record<string, string | null> = { ...options.defaults.python.versions, ...options.pythonVersions };
    images.push(...Object.values(python).filter((image): image is string => typeof image === "string"));
    if (options.chartValues !== undefined) images.push(...allChartImages(options.chartValues).images);
    return [...new Set(images.filter((image): image is string => image !== undefined))];
}

/** Images named by chart values, and the value paths that name a repository without a tag. */
export interface ChartValuesImages {
    /** `registry/repository:tag` references, in document order. */
    readonly images: string[];
    /**
     * Value paths (`postgresql.image`) whose tag is empty: the chart fills it in (appVersion, a subchart default), so
     * it cannot be known from the values. Add those images explicitly.
     */
    readonly untagged: string[];
}

/** Every `<block>.image: {registry?, repository, tag}` in chart values (nested blocks included). */
export function allChartImages(values: unknown): ChartValuesImages {
    const images: string[] = [];
    const untagged: string[] = [];
    const visit = (node: unknown, path: string[]) => {
        if (Array.isArray(node)) {
            for (const [i, item] of node.entries()) visit(item, [...path, String(i)]);
            return;
        }
        if (typeof node !== "object" || node === null) return;
        for (const [key, value] of Object.entries(node)) {
            const image = value as { registry?: unknown; repository?: unknown; tag?: unknown };
            if (
                key === "image" &&
                typeof image === "object" &&
                image !== null &&
                typeof image.repository === "string" &&
                image.repository !== ""
            ) {
                const tag = typeof image.tag === "number" || typeof image.tag === "string" ? String(image.tag) : "";
                const registry = typeof image.registry === "string" && image.registry !== "" ? `${image.registry}/` : "";
                if (tag === "") untagged.push([...path, key].join("."));
                else images.push(`${registry}${image.repository}:${tag}`);
            } else {
                visit(value, [...path, key]);
            }
        }
    };
    visit(values, []);
    return { images: [...new Set(images)], untagged };
}

/** Reads a chart's values.yaml (e.g. from `helm show values dify/dify --version X`). */
export function loadChartValues(file: string): unknown {
    return YAML.parse(fs.readFileSync(file, "utf8"));
}
