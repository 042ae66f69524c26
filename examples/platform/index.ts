// The platform program `pulumi up` runs. The mode follows the config: `platformStack` set → the cluster is read from
// that stack (StackReference); unset → this program creates it. See README.md.
import { readPlatformConfig } from "./config";
import { deployPlatform } from "./platform";

const platform = deployPlatform(readPlatformConfig());

// The cluster's four values, so this stack can itself be a `platformStack` for another.
export const clusterName = platform.cluster.clusterName;
export const kubeconfig = platform.cluster.kubeconfig;
export const oidcProviderArn = platform.cluster.oidcProviderArn;
export const oidcIssuerUrl = platform.cluster.oidcIssuerUrl;
export const imageRepoPrefix = platform.plugins.imageRepoPrefix;
export const buildRoleArn = platform.plugins.registryOutputs.apply((o) => o.buildRoleArn as string);
export const runnerRoleArn = platform.plugins.registryOutputs.apply((o) => o.runnerRoleArn as string);
