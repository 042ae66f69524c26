import { HelperImages } from "../chartDefaults";
import { IMAGE_REPO_SECRET, Values } from "./chartValues";

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
    readonly images: HelperImages;
    readonly generatorConf: string;
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
    values.gatewayImage = s.images.gateway;
    values.shaderImage = s.images.shader;
    values.busyBoxImage = s.images.busyBox;
    values.awsCliImage = s.images.awsCli;
    values.generatorConf = s.generatorConf;
    return values;
}

function setIfDefined(values: Values, key: string, value: unknown): void {
    if (value !== undefined) {
        values[key] = value;
    }
}
