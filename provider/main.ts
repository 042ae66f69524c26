/**
 * The component provider the Pulumi engine starts for this package (`PulumiPlugin.yaml`, runtime nodejs; `npm run
 * provider`): serves the schema and constructs `dify-plugin-registry:index:PluginRegistry`. It prints its port as the
 * first line of stdout, as every provider does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { constructPluginRegistry } from "./construct";
import { PLUGIN_REGISTRY_TOKEN, packageSchema } from "./schema";

/** The package version: the npm package's. */
export function packageVersion(): string {
    // dist/provider/main.js and provider/main.ts are both two levels under the package root's package.json.
    for (const dir of [path.join(__dirname, ".."), path.join(__dirname, "..", "..")]) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file)) {
            return JSON.parse(fs.readFileSync(file, "utf8")).version;
        }
    }
    return "0.0.0";
}

/** The provider: a schema and one component; it manages no custom resources of its own. */
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
