import * as YAML from "yaml";
import { isPlainObject } from "../values";
import { parseGeneratorConf } from "../generatorConf";
import { type ChartDefaults, HELPER_IMAGE_KEYS, type HelperImages } from "./types";

/** Raised when a chart's values cannot give the defaults; the message says what is wrong (no argument path). */
export class ChartValuesError extends Error {}

/**
 * Parses a chart's default values: YAML text (what `helm show values dify/dify --version X` prints) or an object
 * already parsed. Throws {@link ChartValuesError} for text that is not YAML or a document that is not a map.
 */
export function parseChartValues(values: unknown): Record<string, unknown> {
    let doc = values;
    if (typeof values === "string") {
        try {
            doc = YAML.parse(values);
        } catch (err) {
            throw new ChartValuesError(`is not YAML: ${String((err as Error).message).split("\n")[0]}`);
        }
    }
    if (!isPlainObject(doc)) {
        throw new ChartValuesError("must be the chart's values: YAML text or an object with a `plugin_connector` map");
    }
    return doc;
}

/**
 * The defaults of one chart version, read from that version's own values (full values or the table's excerpt of
 * them). Throws {@link ChartValuesError} when `plugin_connector` or its `generatorConf` is missing or malformed.
 */
export function defaultsFromValues(values: Record<string, unknown>): ChartDefaults {
    const connector = values.plugin_connector;
    if (!isPlainObject(connector)) {
        throw new ChartValuesError("has no `plugin_connector` map: is it the dify/dify chart's values?");
    }
    if (typeof connector.generatorConf !== "string") {
        throw new ChartValuesError("has no `plugin_connector.generatorConf` string");
    }
    let generator: ReturnType<typeof parseGeneratorConf>;
    try {
        generator = parseGeneratorConf(connector.generatorConf);
    } catch (err) {
        throw new ChartValuesError(`plugin_connector.generatorConf ${(err as Error).message}`);
    }
    const images: Partial<Record<keyof HelperImages, string>> = {};
    for (const [name, key] of Object.entries(HELPER_IMAGE_KEYS) as [keyof HelperImages, string][]) {
        const image = connector[key];
        if (image !== undefined && (typeof image !== "string" || image === "")) {
            throw new ChartValuesError(`has a \`plugin_connector.${key}\` that is not an image reference`);
        }
        if (image !== undefined) images[name] = image;
    }
    const github = isPlainObject(connector.github) ? connector.github : {};
    return {
        images,
        ...(typeof github.shaderImage === "string" && github.shaderImage !== "" ? { githubShaderImage: github.shaderImage } : {}),
        generatorConf: connector.generatorConf,
        generatorRepo: generator.repo,
        python: generator.python,
    };
}

/**
 * The part of a chart version's values the component's table keeps: the helper images, `github.shaderImage` and
 * `generatorConf` of `plugin_connector`, unchanged. {@link defaultsFromValues} reads an excerpt as it reads the whole.
 */
export function defaultValuesExcerpt(values: Record<string, unknown>): { plugin_connector: Record<string, unknown> } {
    const defaults = defaultsFromValues(values);
    const connector = values.plugin_connector as Record<string, unknown>;
    const excerpt: Record<string, unknown> = {};
    for (const key of Object.values(HELPER_IMAGE_KEYS)) {
        if (connector[key] !== undefined) excerpt[key] = connector[key];
    }
    if (defaults.githubShaderImage !== undefined) excerpt.github = { shaderImage: defaults.githubShaderImage };
    excerpt.generatorConf = defaults.generatorConf;
    return { plugin_connector: excerpt };
}
