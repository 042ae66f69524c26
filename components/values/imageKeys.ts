/**
 * The image-related `plugin_connector` keys: which the component sets, and to what. Own only what you must: with no
 * override, no python change and no mirror it sets none of them, and the chart keeps its own defaults, so any chart
 * version deploys. Moving images to a mirror or changing `generatorConf` (one string, written whole) needs the
 * version's own defaults, read from `chart.defaultValues` or the exact-version table.
 */
import type { PythonArgs } from "../args";
import { type ChartDefaults, HELPER_IMAGE_KEYS, type HelperImages } from "../../engines/difyChart/defaults";
import { mirroredImageReference } from "../../engines/oci/imageReference";
import { editGeneratorConf } from "../../engines/difyChart/generatorConf";
import { parseRemoteImage } from "../../engines/oci/reference";
import type { ArgumentProblems } from "../validation";

/** The image-related `plugin_connector` values the component sets; an absent key keeps the chart's default. */
export interface ConnectorImages {
    /** `gatewayImage`, `shaderImage`, `busyBoxImage`, `awsCliImage`: only those overridden or moved. */
    readonly images: Partial<HelperImages>;
    /** `github.shaderImage`, moved to the mirror when the GitHub builder is selected. */
    readonly githubShaderImage?: string;
    /** `generatorConf`: the version's own, changed. */
    readonly generatorConf?: string;
}

/** What {@link resolveConnectorImages} works from. */
export interface ConnectorImagesRequest {
    /** `pluginConnector.images`, validated. */
    readonly overrides: Partial<HelperImages>;
    /** `pluginConnector.python`, validated. */
    readonly python?: PythonArgs;
    /** `pluginConnector.imageMirror`. */
    readonly mirror?: string;
    /** `chart.values` selects the GitHub Actions builder (`plugin_connector.builderName: github`). */
    readonly githubBuilder: boolean;
    /** `chart.values.plugin_connector.github.shaderImage`, when the user set one. */
    readonly githubShaderImage?: string;
    /**
     * The chart version's defaults, asked for only when needed; records a problem at `neededBy` (the argument that
     * needs them) and returns undefined when there are none.
     */
    readonly defaults: (neededBy: string, why: string) => ChartDefaults | undefined;
}

/** True when `python` changes anything in `generatorConf`. */
export function changesPython(python: PythonArgs | undefined): boolean {
    return (
        python !== undefined &&
        (python.pipMirror !== undefined || python.preCompile !== undefined || Object.keys(python.versions ?? {}).length > 0)
    );
}

/** The values to set, or undefined when the defaults they need are missing (a problem is then recorded). */
export function resolveConnectorImages(request: ConnectorImagesRequest): ConnectorImages | undefined {
    const { overrides, python, mirror } = request;
    const edit = { pipMirror: python?.pipMirror, preCompile: python?.preCompile, versions: python?.versions };
    if (mirror === undefined) {
        if (!changesPython(python)) {
            return { images: { ...overrides } };
        }
        const defaults = request.defaults("pluginConnector.python", "to change generatorConf, which is written whole");
        return defaults && { images: { ...overrides }, generatorConf: editGeneratorConf(defaults.generatorConf, edit) };
    }
    const defaults = request.defaults("pluginConnector.imageMirror", "to move every helper image and python build base");
    if (!defaults) {
        return undefined;
    }
    const move = (ref: string) => mirroredImageReference(ref, mirror);
    const images: Partial<Record<keyof HelperImages, string>> = {};
    for (const key of Object.keys(HELPER_IMAGE_KEYS) as (keyof HelperImages)[]) {
        const source = overrides[key] ?? defaults.images[key];
        if (source !== undefined) images[key] = move(source);
    }
    const githubShader = request.githubBuilder ? (request.githubShaderImage ?? defaults.githubShaderImage) : undefined;
    return {
        images,
        ...(githubShader !== undefined ? { githubShaderImage: move(githubShader) } : {}),
        generatorConf: editGeneratorConf(defaults.generatorConf, { ...edit, mapImage: move }),
    };
}

/** `pluginConnector.images`, validated: unknown keys and non-references are recorded as problems. */
export function checkImageOverrides(overrides: unknown, problems: ArgumentProblems): Partial<HelperImages> {
    const valid: Partial<Record<keyof HelperImages, string>> = {};
    if (overrides === undefined) {
        return valid;
    }
    if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) {
        problems.add("pluginConnector.images", `must be an object with keys ${Object.keys(HELPER_IMAGE_KEYS).join(", ")}`);
        return valid;
    }
    for (const [key, value] of Object.entries(overrides)) {
        if (!Object.hasOwn(HELPER_IMAGE_KEYS, key)) {
            problems.add(`pluginConnector.images.${key}`, `unknown helper image; valid keys: ${Object.keys(HELPER_IMAGE_KEYS).join(", ")}`);
        } else if (imageReferenceProblem(value) !== undefined) {
            problems.add(
                `pluginConnector.images.${key}`,
                `must be an image reference such as \`registry.example.com/nginx:1.29.4-alpine\`: ${imageReferenceProblem(value)}`,
            );
        } else {
            valid[key as keyof HelperImages] = value;
        }
    }
    return valid;
}

/** `pluginConnector.python`, validated: bad version keys, images and settings are recorded as problems. */
export function checkPython(python: unknown, problems: ArgumentProblems): PythonArgs | undefined {
    if (python === undefined) {
        return undefined;
    }
    if (typeof python !== "object" || python === null || Array.isArray(python)) {
        problems.add("pluginConnector.python", "must be an object: { pipMirror?, preCompile?, versions? }");
        return undefined;
    }
    const p = python as PythonArgs;
    if (p.pipMirror !== undefined) {
        const reason = pipMirrorProblem(p.pipMirror);
        if (reason !== undefined) problems.add("pluginConnector.python.pipMirror", reason);
    }
    if (p.preCompile !== undefined && typeof p.preCompile !== "boolean") {
        problems.add("pluginConnector.python.preCompile", "must be true or false");
    }
    for (const [version, image] of Object.entries(p.versions ?? {})) {
        if (!/^3\.(0|[1-9]\d*)$/.test(version)) {
            problems.add(`pluginConnector.python.versions.${version}`, `python version keys are "3.N" (e.g. "3.12"), got "${version}"`);
        } else if (image !== null) {
            const reason = imageReferenceProblem(image);
            if (reason !== undefined) {
                problems.add(
                    `pluginConnector.python.versions.${version}`,
                    `must be a build base image reference such as \`registry.example.com/plugin-build-base-python:${version}\`, ` +
                        `or null to remove the version (it is written into generatorConf as it is): ${reason}`,
                );
            }
        }
    }
    return p;
}

/**
 * Why `ref` is not an image reference the registry API and the YAML of `generatorConf` can take (`[registry/]repository
 * [:tag][@digest]`, lowercase repository, no whitespace or line break), or undefined.
 */
export function imageReferenceProblem(ref: unknown): string | undefined {
    if (typeof ref !== "string") {
        return `expected a string, got ${ref === null ? "null" : typeof ref}`;
    }
    try {
        parseRemoteImage(ref);
        return undefined;
    } catch (err) {
        return (err as Error).message;
    }
}

/**
 * Why `url` is not a pip index URL (`pip install --index-url`): an absolute http(s) URL with a host and no whitespace,
 * or "" for none. Written into `generatorConf` as it is.
 */
export function pipMirrorProblem(url: unknown): string | undefined {
    const example = 'give the index URL such as `https://pypi.tuna.tsinghua.edu.cn/simple`, or "" for none';
    if (typeof url !== "string") {
        return `must be a URL string; ${example}`;
    }
    if (url === "") {
        return undefined;
    }
    let parsed: URL | undefined;
    try {
        parsed = /\s/.test(url) ? undefined : new URL(url);
    } catch {
        parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== "https:" && parsed.protocol !== "http:") || parsed.hostname === "") {
        return `${JSON.stringify(url)} is not an http(s) URL (pip reads it as --index-url); ${example}`;
    }
    return undefined;
}
