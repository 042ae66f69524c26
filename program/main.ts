import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry } from "../components";
import { readStackConfig, StackConfig, toComponentArgs } from "./config";

/** What the stack exports. */
export interface StackOutputs {
    readonly namespace: pulumi.Output<string>;
    readonly secretName: pulumi.Output<string>;
    readonly imageRepoPrefix: pulumi.Output<string>;
    readonly imageRepoType: pulumi.Output<string>;
    readonly pluginConnectorValues: pulumi.Output<Record<string, unknown>>;
    readonly registryOutputs: pulumi.Output<Record<string, unknown>>;
}

/** The stack program: validated config → Kubernetes provider (when configured) → DifyPluginRegistry. */
export function runStack(config: StackConfig = readStackConfig()): StackOutputs {
    const provider = config.kubernetes
        ? new k8s.Provider("kubernetes", {
              renderYamlToDirectory: config.kubernetes.renderYamlToDirectory,
              kubeconfig: config.kubernetes.kubeconfig,
              context: config.kubernetes.context,
              enableServerSideApply: config.kubernetes.enableServerSideApply,
          })
        : undefined;
    const registry = new DifyPluginRegistry(
        "dify-plugin-registry",
        toComponentArgs(config),
        provider ? { providers: { kubernetes: provider } } : undefined,
    );
    return {
        namespace: registry.namespace,
        secretName: registry.secretName,
        imageRepoPrefix: registry.imageRepoPrefix,
        imageRepoType: registry.imageRepoType,
        pluginConnectorValues: registry.pluginConnectorValues,
        registryOutputs: registry.registryOutputs,
    };
}
