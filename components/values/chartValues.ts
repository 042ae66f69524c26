import { isPlainObject, type Values } from "../../engines/difyChart/values";
import { ArgumentProblems } from "../validation";

/** The Secret name Dify's plugin connector reads; the chart cannot be told another. */
export const IMAGE_REPO_SECRET = "image-repo-secret";

/** `plugin_connector` keys the component owns, each with the argument that sets it. */
export const MANAGED_PLUGIN_CONNECTOR_KEYS: Readonly<Record<string, string>> = {
    imageRepoSecret: "(fixed: image-repo-secret)",
    imageRepoPrefix: "registry",
    imageRepoType: "registry.type",
    ecrRegion: "registry",
    insecureImageRepo: "registry.insecure",
    customServiceAccount: "pluginConnector.serviceAccounts.build",
    runnerServiceAccount: "pluginConnector.serviceAccounts.runner",
    nodeSelector: "pluginConnector.nodeSelector",
    affinity: "pluginConnector.affinity",
    tolerations: "pluginConnector.tolerations",
    labels: "pluginConnector.labels",
    gatewayImage: "pluginConnector.images.gateway",
    shaderImage: "pluginConnector.images.shader",
    busyBoxImage: "pluginConnector.images.busyBox",
    awsCliImage: "pluginConnector.images.awsCli",
    generatorConf: "pluginConnector.python (and pluginConnector.imageMirror)",
};

export { isPlainObject, type Values } from "../../engines/difyChart/values";

/**
 * Records a problem for every managed `plugin_connector` key in the user's `chart.values`. `imageRepoSecret` is
 * tolerated when it repeats the fixed name.
 */
export function checkUserValues(values: unknown, problems: ArgumentProblems, path = "chart.values"): void {
    if (values === undefined) {
        return;
    }
    if (!isPlainObject(values)) {
        problems.add(path, "must be an object of Helm values");
        return;
    }
    const connector = values.plugin_connector;
    if (connector === undefined) {
        return;
    }
    if (!isPlainObject(connector)) {
        problems.add(`${path}.plugin_connector`, "must be an object");
        return;
    }
    for (const key of Object.keys(connector)) {
        if (key === "imageRepoSecret") {
            if (connector[key] !== IMAGE_REPO_SECRET) {
                problems.add(
                    `${path}.plugin_connector.imageRepoSecret`,
                    `must be "${IMAGE_REPO_SECRET}" (Dify reads that fixed Secret name), got ${JSON.stringify(connector[key])}; remove the key`,
                );
            }
        } else if (Object.hasOwn(MANAGED_PLUGIN_CONNECTOR_KEYS, key)) {
            problems.add(`${path}.plugin_connector.${key}`, `is set by the component; use ${MANAGED_PLUGIN_CONNECTOR_KEYS[key]} instead`);
        }
    }
}

/** Deep merge: objects merge key by key, anything else (arrays included) in `override` replaces `base`. */
export function deepMerge(base: Values, override: Values): Values {
    const out: Values = { ...base };
    for (const [key, value] of Object.entries(override)) {
        const current = Object.hasOwn(out, key) ? out[key] : undefined;
        // defineProperty keeps a "__proto__" key (JSON.parse can produce one) a plain key instead of a prototype.
        Object.defineProperty(out, key, {
            value: isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value,
            enumerable: true,
            writable: true,
            configurable: true,
        });
    }
    return out;
}

/** The chart's values: the user's `chart.values` with the component's `plugin_connector` block merged over them. */
export function buildChartValues(userValues: Values | undefined, pluginConnector: Values): Values {
    return deepMerge(userValues ?? {}, { plugin_connector: pluginConnector });
}
