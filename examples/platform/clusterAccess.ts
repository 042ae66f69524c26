import * as pulumi from "@pulumi/pulumi";

/**
 * What the rest of the platform needs from an EKS cluster, whether this program created it or a platform stack did.
 * A create-mode stack exports exactly these values, so it can serve as another stack's `platformStack`.
 */
export interface ClusterAccess {
    /** The EKS cluster's name. */
    readonly clusterName: pulumi.Output<string>;
    /** A kubeconfig for the cluster (JSON or YAML), always a secret. */
    readonly kubeconfig: pulumi.Output<string>;
    /** `arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>` */
    readonly oidcProviderArn: pulumi.Output<string>;
    /** `https://oidc.eks.<region>.amazonaws.com/id/<id>`, the cluster's `identity.oidc.issuer`. */
    readonly oidcIssuerUrl: pulumi.Output<string>;
    /** What Kubernetes objects must wait for (the nodes), beyond the kubeconfig itself. */
    readonly ready: pulumi.Resource[];
}
