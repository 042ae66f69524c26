import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { NewClusterConfig } from "./config";
import { managedPolicyArn, serviceTrustPolicy } from "./iam";

const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"];

/**
 * A managed node group for Dify and its plugin pods. Its role can pull from ECR (`AmazonEC2ContainerRegistryReadOnly`),
 * which is how kubelet pulls the plugin images the runner pods run.
 */
export function createNodeGroup(
    cluster: aws.eks.Cluster,
    config: NewClusterConfig,
    region: string,
    opts: pulumi.CustomResourceOptions,
): aws.eks.NodeGroup {
    const role = new aws.iam.Role(`${config.name}-nodes`, { assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com") }, opts);
    const attachments = NODE_POLICIES.map(
        (policy) =>
            new aws.iam.RolePolicyAttachment(
                `${config.name}-nodes-${policy}`,
                { role: role.name, policyArn: managedPolicyArn(region, policy) },
                opts,
            ),
    );
    return new aws.eks.NodeGroup(
        `${config.name}-nodes`,
        {
            clusterName: cluster.name,
            nodeRoleArn: role.arn,
            subnetIds: config.subnetIds,
            instanceTypes: [config.nodeInstanceType],
            scalingConfig: { desiredSize: config.nodeCount, minSize: 1, maxSize: Math.max(config.nodeCount, 1) * 2 },
        },
        // Nodes cannot join before their role may run the kubelet and the VPC CNI.
        { ...opts, dependsOn: attachments },
    );
}
