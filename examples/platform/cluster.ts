import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAccess } from "./clusterAccess";
import { NewClusterConfig } from "./config";
import { managedPolicyArn, serviceTrustPolicy } from "./iam";
import { eksKubeconfig } from "./kubeconfig";
import { createNodeGroup } from "./nodeGroup";

/** The cluster this program created, with what the platform needs from it. */
export interface CreatedCluster extends ClusterAccess {
    readonly cluster: aws.eks.Cluster;
    readonly oidcProvider: aws.iam.OpenIdConnectProvider;
    readonly nodeGroup: aws.eks.NodeGroup;
}

/**
 * Create mode: an EKS cluster with its role, the IAM OIDC provider of its issuer (for IRSA), a managed node group,
 * and a kubeconfig built from the cluster's endpoint and CA.
 */
export function createCluster(config: NewClusterConfig, region: string, provider: aws.Provider): CreatedCluster {
    const opts: pulumi.CustomResourceOptions = { provider };
    const role = new aws.iam.Role(`${config.name}-cluster`, { assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com") }, opts);
    const clusterPolicy = new aws.iam.RolePolicyAttachment(
        `${config.name}-cluster-AmazonEKSClusterPolicy`,
        { role: role.name, policyArn: managedPolicyArn(region, "AmazonEKSClusterPolicy") },
        opts,
    );
    const cluster = new aws.eks.Cluster(
        config.name,
        {
            name: config.name,
            roleArn: role.arn,
            version: config.version,
            vpcConfig: { subnetIds: config.subnetIds },
            // Access entries, with whoever runs `pulumi up` made cluster admin: the kubeconfig below logs in as them.
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        },
        // EKS needs the policy while it creates the control plane, and to delete it cleanly.
        { ...opts, dependsOn: [clusterPolicy] },
    );
    const issuer = cluster.identities[0].oidcs[0].issuer;
    // No thumbprintLists: IAM then validates the issuer's certificate itself (see README, "The OIDC thumbprint").
    const oidcProvider = new aws.iam.OpenIdConnectProvider(
        `${config.name}-oidc`,
        { url: issuer, clientIdLists: ["sts.amazonaws.com"] },
        opts,
    );
    const nodeGroup = createNodeGroup(cluster, config, region, opts);
    const kubeconfig = pulumi
        .all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data])
        .apply(([clusterName, endpoint, certificateAuthorityData]) =>
            eksKubeconfig({ clusterName, region, endpoint, certificateAuthorityData }),
        );
    return {
        cluster,
        oidcProvider,
        nodeGroup,
        clusterName: cluster.name,
        // No credential in it (exec auth), but a platform stack's kubeconfig often has one: treat both alike.
        kubeconfig: pulumi.secret(kubeconfig),
        oidcProviderArn: oidcProvider.arn,
        oidcIssuerUrl: issuer,
        ready: [nodeGroup],
    };
}
