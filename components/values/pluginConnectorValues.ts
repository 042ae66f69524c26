import { HELPER_IMAGE_KEYS, type HelperImages } from "../../engines/difyChart/defaults";
import type { ConnectorImages } from "./imageKeys";
import { IMAGE_REPO_SECRET, type Values } from "./chartValues";

/** Everything that goes into the `plugin_connector` block, resolved to plain values. */
export interface PluginConnectorSettings {
    readonly imageRepoPrefix: string;
    readonly imageRepoType: "docker" | "ecr";
    readonly ecrRegion?: string;
    readonly insecure: boolean;
    readonly buildServiceAccount?: string;
    readonly runnerServiceAccount?: string;
    readonly nodeSelector?: unknown;
    readonly affinity?: unknown;
    readonly tolerations?: unknown;
    readonly labels?: unknown;
    /** Image-related keys to set: only those overridden, changed or moved; the chart keeps the rest. */
    readonly images: ConnectorImages;
}

/** The `plugin_connector` values the component sets (chart key names; optional ones only when given). */
export function buildPluginConnectorValues(s: PluginConnectorSettings): Values {
    const values: Values = {
        imageRepoSecret: IMAGE_REPO_SECRET,
        imageRepoPrefix: s.imageRepoPrefix,
        imageRepoType: s.imageRepoType,
    };
    if (s.ecrRegion !== undefined) {
        values.ecrRegion = s.ecrRegion;
    }
    values.insecureImageRepo = s.insecure;
    setIfDefined(values, "customServiceAccount", s.buildServiceAccount);
    setIfDefined(values, "runnerServiceAccount", s.runnerServiceAccount);
    setIfDefined(values, "nodeSelector", s.nodeSelector);
    setIfDefined(values, "affinity", s.affinity);
    setIfDefined(values, "tolerations", s.tolerations);
    setIfDefined(values, "labels", s.labels);
    for (const [name, key] of Object.entries(HELPER_IMAGE_KEYS) as [keyof HelperImages, string][]) {
        setIfDefined(values, key, s.images.images[name]);
    }
    if (s.images.githubShaderImage !== undefined) {
        // Merged into the user's github block: only shaderImage is the component's.
        values.github = { shaderImage: s.images.githubShaderImage };
    }
    setIfDefined(values, "generatorConf", s.images.generatorConf);
    return values;
}

function setIfDefined(values: Values, key: string, value: unknown): void {
    if (value !== undefined) {
        values[key] = value;
    }
}
