/**
 * The component provider the Pulumi engine starts for this package (`PulumiPlugin.yaml`, runtime nodejs; `npm run
 * provider`): serves the schema and constructs `dify-plugin-registry:index:PluginRegistry`. It prints its port as the
 * first line of stdout, as every provider does.
 */
import * as pulumi from "@pulumi/pulumi";
import { constructPluginRegistry } from "./construct";
import { customResourceHandlers } from "./customResources";
import { PLUGIN_REGISTRY_TOKEN, packageSchema } from "./schema";
import { packageVersion } from "./version";

export { packageVersion };

/**
 * The provider: a schema, one component, and the custom resources the component creates under it (the push check,
 * the image mirror, the TCR namespace and token: `customResources.ts`).
 */
export function pluginRegistryProvider(): pulumi.provider.Provider {
    const version = packageVersion();
    return {
        version,
        schema: JSON.stringify(packageSchema(version)),
        construct: (name, type, inputs, options) => {
            if (type !== PLUGIN_REGISTRY_TOKEN) {
                return Promise.reject(new Error(`unknown resource type ${type}; this package has ${PLUGIN_REGISTRY_TOKEN}`));
            }
            return constructPluginRegistry(name, inputs, options);
        },
        ...customResourceHandlers(),
    };
}

/** Serves the provider over gRPC; `args` are the engine's (its address). */
export function serve(args: readonly string[]): Promise<void> {
    return pulumi.provider.main(pluginRegistryProvider(), [...args]);
}

// `tsx provider/main.ts`: serve. The engine goes through provider/entry.js (the package's "main").
if (require.main === module) {
    void serve(process.argv.slice(2));
}
