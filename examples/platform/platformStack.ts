import * as pulumi from "@pulumi/pulumi";
import { ClusterAccess } from "./clusterAccess";

/** The outputs the platform stack must export (a create-mode stack of this example does). */
export const PLATFORM_STACK_OUTPUTS = ["clusterName", "kubeconfig", "oidcProviderArn", "oidcIssuerUrl"] as const;

/**
 * Reference mode: the cluster belongs to a platform stack (`<org>/<project>/<stack>`), which this program reads
 * through a `StackReference` and never changes.
 */
export function readPlatformStack(stack: string): ClusterAccess {
    const platform = new pulumi.StackReference("platform", { name: stack });
    // requireOutput: a missing output fails the update with its name, not later as an undefined kubeconfig.
    const output = (name: (typeof PLATFORM_STACK_OUTPUTS)[number]) => platform.requireOutput(name) as pulumi.Output<string>;
    return {
        clusterName: output("clusterName"),
        // Secret even when the platform stack exported it in plain text: it may hold a token.
        kubeconfig: pulumi.secret(output("kubeconfig")),
        oidcProviderArn: output("oidcProviderArn"),
        oidcIssuerUrl: output("oidcIssuerUrl"),
        ready: [],
    };
}
