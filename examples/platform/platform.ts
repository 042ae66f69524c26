import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "dify-plugin-registry/components";
import { createCluster } from "./cluster";
import { ClusterAccess } from "./clusterAccess";
import { DifyConfig, PlatformConfig } from "./config";
import { readPlatformStack } from "./platformStack";

/** Everything the platform program registers that a caller may want to use or inspect. */
export interface Platform {
    readonly awsProvider: aws.Provider;
    readonly k8sProvider: k8s.Provider;
    readonly cluster: ClusterAccess;
    readonly plugins: DifyPluginRegistry;
}

/**
 * The platform: the cluster (created here or read from the platform stack, as the config says), a Kubernetes provider
 * built from its kubeconfig, and `DifyPluginRegistry` with ECR + IRSA, given both providers explicitly.
 */
export function deployPlatform(config: PlatformConfig): Platform {
    // Explicit rather than ambient: the cluster, the registry template and the IRSA roles all land in config.region.
    const awsProvider = new aws.Provider("platform-aws", { region: config.region });
    const cluster =
        config.source.kind === "reference"
            ? readPlatformStack(config.source.stack)
            : createCluster(config.source.cluster, config.region, awsProvider);
    // Every Kubernetes object goes through this provider, so depending on the nodes here holds all of them back.
    const k8sProvider = new k8s.Provider("platform-k8s", { kubeconfig: cluster.kubeconfig }, { dependsOn: cluster.ready });
    const plugins = new DifyPluginRegistry("dify", registryArgs(config.region, config.dify, cluster), {
        providers: { aws: awsProvider, kubernetes: k8sProvider },
    });
    return { awsProvider, k8sProvider, cluster, plugins };
}

/** ECR in the cluster's region, IRSA trusted by the cluster's OIDC provider. */
function registryArgs(region: string, dify: DifyConfig, cluster: ClusterAccess): DifyPluginRegistryArgs {
    const bucket = dify.buildContextBucket;
    return {
        namespace: dify.namespace,
        registry: {
            type: "ecr",
            region,
            prefix: dify.ecrPrefix,
            // Both: the trust policy uses the ARN, and the component checks that the two name the same issuer.
            auth: { mode: "irsa", oidcProviderArn: cluster.oidcProviderArn, oidcIssuerUrl: cluster.oidcIssuerUrl },
            buildContextBucket: bucket,
        },
        chart: {
            version: dify.chartVersion,
            // Empty endpoint: a custom S3 endpoint breaks kaniko's IRSA credentials (docs/ecr.md, "The S3 endpoint warning").
            values: bucket
                ? { persistence: { type: "s3", s3: { endpoint: "", region, bucketName: bucket, useAwsManagedIam: true, useAwsS3: true } } }
                : {},
        },
    };
}
