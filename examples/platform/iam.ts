/** IAM helpers for the cluster's own roles (the registry's roles are the component's business). */

/** `aws`, `aws-cn` or `aws-us-gov`: the first part of every ARN in the region. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) {
        return "aws-cn";
    }
    return region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** The ARN of an AWS managed policy, e.g. `AmazonEKSClusterPolicy`, in the region's partition. */
export function managedPolicyArn(region: string, policy: string): string {
    return `arn:${partitionOf(region)}:iam::aws:policy/${policy}`;
}

/** A trust policy that lets one AWS service (`eks.amazonaws.com`, `ec2.amazonaws.com`) assume the role. */
export function serviceTrustPolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}
