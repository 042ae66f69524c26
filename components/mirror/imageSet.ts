/**
 * The images a Dify chart version needs in a mirror: the plugin connector's helper images, every python build base of
 * `generatorConf`, and optionally (`allChartImages`) every image the chart's default values name. Targets follow
 * `pluginConnector.imageMirror`: `<imageMirror>/<path>:<tag>` (see `mirroredImageReference`).
 *
 * The chart's values are an input, never read from a fixed location: the program must not depend on files outside
 * the package at run time. Pass the parsed values, or a values.yaml path to `loadChartValues`.
 */
import * as fs from "node:fs";
import * as YAML from "yaml";
import { defaultsForChartVersion, knownSeries, type ChartDefaults, type HelperImages } from "../chartDefaults";
import { mirroredImageReference } from "../imageReference";
import { formatRemoteImage, parseRemoteImage } from "./reference";
import type { MirrorPlanItem } from "./types";

/** Which images a chart version needs; mirrors the component's `chart.defaults` and `pluginConnector` arguments. */
export interface ChartImageSetOptions {
    /** Pinned chart version (`3.9.1`): selects the defaults of its series. */
    readonly chartVersion: string;
    /** Defaults for a version the table does not know (`chart.defaults`). */
    readonly defaults?: ChartDefaults;
    /** Helper image overrides (`pluginConnector.images`). */
    readonly images?: Partial<HelperImages>;
    /** Build bases merged over the defaults, `null` removes one (`pluginConnector.python.versions`). */
    readonly pythonVersions?: Readonly<Record<string, string | null>>;
    /** `awsCliImage` is only pulled with `imageRepoType: ecr`. Default false. */
    readonly includeAwsCli?: boolean;
    /** `allChartImages`: the chart's default values (parsed); every `<block>.image` they name is added. */
    readonly chartValues?: unknown;
}

/** Source references of every image to mirror for a chart version, without duplicates, helpers first. */
export function chartImageSet(options: ChartImageSetOptions): string[] {
    const defaults = options.defaults ?? defaultsForChartVersion(options.chartVersion);
    if (!defaults) {
        throw new Error(
            `chart version ${options.chartVersion} has no known plugin_connector defaults (known: ${knownSeries.join(", ")}); pass defaults`,
        );
    }
    const helpers = { ...defaults.images, ...options.images };
    const images = [helpers.gateway, helpers.shader, helpers.busyBox, ...(options.includeAwsCli ? [helpers.awsCli] : [])];
    const python: Record<string, string | null> = { ...defaults.python.versions, ...options.pythonVersions };
    images.push(...Object.values(python).filter((image): image is string => typeof image === "string"));
    if (options.chartValues !== undefined) images.push(...allChartImages(options.chartValues).images);
    return [...new Set(images)];
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

/**
 * Pairs each source with its place in the mirror: `<imageMirror>/<path without registry and library/>:<tag>`.
 * Duplicates are dropped; two sources landing on the same target (`docker.io/a/x:1`, `ghcr.io/a/x:1`) are an error.
 */
export function planMirror(images: readonly string[], imageMirror: string): MirrorPlanItem[] {
    const mirror = imageMirror.replace(/\/+$/, "");
    const host = mirror.split("/")[0];
    // Without a dot, a port or localhost, docker would read the first component as a Docker Hub namespace.
    if (!/[.:]/.test(host) && host !== "localhost") {
        throw new Error(`imageMirror ${JSON.stringify(imageMirror)} must start with a registry host (registry.example.com/dify-mirror)`);
    }
    const byTarget = new Map<string, string>();
    for (const image of images) {
        const source = formatRemoteImage(parseRemoteImage(image));
        const target = formatRemoteImage(parseRemoteImage(mirroredImageReference(source, mirror)));
        const earlier = byTarget.get(target);
        if (earlier !== undefined && earlier !== source) {
            throw new Error(`${earlier} and ${source} would both be mirrored to ${target}`);
        }
        byTarget.set(target, source);
    }
    return [...byTarget].map(([target, source]) => ({ source, target }));
}
