/** Helper images the plugin connector runs beside each plugin build (`plugin_connector.<key>Image`). */
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

/** The chart key of each helper image. */
export const HELPER_IMAGE_KEYS: Readonly<Record<keyof HelperImages, string>> = {
    gateway: "gatewayImage",
    shader: "shaderImage",
    busyBox: "busyBoxImage",
    awsCli: "awsCliImage",
};

/** Defaults of the python generator, as read from a `generatorConf`. */
export interface PythonDefaults {
    readonly pipMirror: string;
    readonly preCompile: boolean;
    /** `3.N` → build base image reference, in the chart's order (newest first). */
    readonly versions: Readonly<Record<string, string>>;
}

/**
 * What the component needs from one chart version's default values, read from that version's own values (its
 * `values.yaml`, or the exact-version table generated from it). Only keys the version has are present.
 */
export interface ChartDefaults {
    /** Helper images the version names (a version without a key leaves it out). */
    readonly images: Partial<HelperImages>;
    /** `plugin_connector.github.shaderImage` (the GitHub Actions builder's kaniko), where the version has one. */
    readonly githubShaderImage?: string;
    /** `plugin_connector.generatorConf`, exactly as the chart ships it. */
    readonly generatorConf: string;
    /** `generator.repo` of that `generatorConf`. */
    readonly generatorRepo: string;
    /** `generator.python` of that `generatorConf`. */
    readonly python: PythonDefaults;
}
