/** The example's stack config (`dify-platform:<key>`), read once and checked for the chosen mode. */
import * as pulumi from "@pulumi/pulumi";

/** The project name in this directory's Pulumi.yaml, and so the namespace of every config key below. */
export const PROJECT = "dify-platform";

/** Keys that only mean something when this program creates the cluster. */
const CREATE_ONLY_KEYS = ["clusterName", "subnetIds", "kubernetesVersion", "nodeInstanceType", "nodeCount"] as const;

/** The EKS cluster this program creates (create mode). */
export interface NewClusterConfig {
    /** EKS cluster name, also the prefix of its IAM roles. Default `dify-eks`. */
    readonly name: string;
    /** Subnets of the control plane's network interfaces and of the nodes (at least two Availability Zones). */
    readonly subnetIds: string[];
    /** Kubernetes version; default: the one EKS picks. */
    readonly version?: string;
    /** Instance type of the managed node group. Default `m6i.large`. */
    readonly nodeInstanceType: string;
    /** Number of nodes. Default 2. */
    readonly nodeCount: number;
}

/** Where the cluster comes from: created here, or read from a platform stack. */
export type ClusterSource =
    | { readonly kind: "create"; readonly cluster: NewClusterConfig }
    | { readonly kind: "reference"; readonly stack: string };

/** What the Dify side of the platform needs. */
export interface DifyConfig {
    /** Namespace of the Dify release. Default `dify`. */
    readonly namespace: string;
    /** Pinned `dify/dify` chart version. Default `3.9.1`. */
    readonly chartVersion: string;
    /** ECR repository path for plugin images. Default `dify/plugins`. */
    readonly ecrPrefix: string;
    /** Dify's S3 bucket, which kaniko reads build contexts from; unset when Dify does not store files in S3. */
    readonly buildContextBucket?: string;
}

/** The whole config of the example. */
export interface PlatformConfig {
    /** AWS region of the cluster and the registry. */
    readonly region: string;
    /** The mode: create the cluster, or read it from `platformStack`. */
    readonly source: ClusterSource;
    /** The component's settings. */
    readonly dify: DifyConfig;
}

/**
 * Reads the stack config. `platformStack` set selects reference mode; create-mode keys are then rejected, because
 * nothing would use them and a user who set them expects a cluster to be created.
 */
export function readPlatformConfig(): PlatformConfig {
    // Named explicitly (it equals the project name) so the keys are the same wherever the program is evaluated.
    const cfg = new pulumi.Config(PROJECT);
    const platformStack = cfg.get("platformStack");
    const dify: DifyConfig = {
        namespace: cfg.get("namespace") ?? "dify",
        chartVersion: cfg.get("chartVersion") ?? "3.9.1",
        ecrPrefix: cfg.get("ecrPrefix") ?? "dify/plugins",
        buildContextBucket: cfg.get("buildContextBucket"),
    };
    const region = cfg.require("region");
    if (platformStack !== undefined) {
        const ignored = CREATE_ONLY_KEYS.filter((key) => cfg.get(key) !== undefined);
        if (ignored.length > 0) {
            throw new pulumi.RunError(
                `${PROJECT}:platformStack is set, so the cluster is read from ${platformStack} and ` +
                    `${ignored.map((k) => `${PROJECT}:${k}`).join(", ")} would be ignored; remove them, or remove platformStack`,
            );
        }
        return { region, source: { kind: "reference", stack: platformStack }, dify };
    }
    const cluster: NewClusterConfig = {
        name: cfg.get("clusterName") ?? "dify-eks",
        subnetIds: cfg.requireObject<string[]>("subnetIds"),
        version: cfg.get("kubernetesVersion"),
        nodeInstanceType: cfg.get("nodeInstanceType") ?? "m6i.large",
        nodeCount: cfg.getNumber("nodeCount") ?? 2,
    };
    return { region, source: { kind: "create", cluster }, dify };
}
