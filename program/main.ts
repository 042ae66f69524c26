import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry } from "../components";
import { kubernetesProviderArgs, readStackConfig, secretConfigKeys, StackConfig, toComponentArgs } from "./config";

/** What the stack exports. */
export interface StackOutputs {
    readonly namespace: pulumi.Output<string>;
    readonly secretName: pulumi.Output<string>;
    readonly imageRepoPrefix: pulumi.Output<string>;
    readonly imageRepoType: pulumi.Output<string>;
    readonly pluginConnectorValues: pulumi.Output<Record<string, unknown>>;
    readonly registryOutputs: pulumi.Output<Record<string, unknown>>;
}

/**
 * The stack program: validated config → Kubernetes provider (when configured) → DifyPluginRegistry. `secret` names the
 * top-level config keys marked secret (default: as the engine says); they stay secret in every resource input.
 */
export function runStack(config: StackConfig = readStackConfig(), secret: ReadonlySet<string> = secretConfigKeys()): StackOutputs {
    // Arguments first: a secret the program cannot keep is refused before the provider is created.
    const args = toComponentArgs(config, secret);
    const provider = config.kubernetes
        ? new k8s.Provider("kubernetes", kubernetesProviderArgs(config.kubernetes, secret) as k8s.ProviderArgs)
        : undefined;
    const registry = new DifyPluginRegistry("dify-plugin-registry", args, provider ? { providers: { kubernetes: provider } } : undefined);
    return {
        namespace: registry.namespace,
        secretName: registry.secretName,
        imageRepoPrefix: registry.imageRepoPrefix,
        imageRepoType: registry.imageRepoType,
        pluginConnectorValues: registry.pluginConnectorValues,
        registryOutputs: registry.registryOutputs,
    };
}
