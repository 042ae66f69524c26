/** Where an EKS cluster is and how to reach it. */
export interface EksEndpoint {
    /** The EKS cluster's name, also the kubeconfig's cluster, user and context name. */
    readonly clusterName: string;
    /** The cluster's region, for `aws eks get-token`. */
    readonly region: string;
    /** The API server URL (`cluster.endpoint`). */
    readonly endpoint: string;
    /** Base64 PEM of the cluster CA (`cluster.certificateAuthority.data`). */
    readonly certificateAuthorityData: string;
}

/**
 * A kubeconfig for an EKS cluster that authenticates with `aws eks get-token` — the same as
 * `aws eks update-kubeconfig` writes. It holds no credential: the token is fetched on every connection with the AWS
 * credentials of whoever runs Pulumi. JSON, which is YAML too, so no YAML library is needed.
 */
export function eksKubeconfig(e: EksEndpoint): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: e.clusterName, cluster: { server: e.endpoint, "certificate-authority-data": e.certificateAuthorityData } }],
        contexts: [{ name: e.clusterName, context: { cluster: e.clusterName, user: e.clusterName } }],
        "current-context": e.clusterName,
        users: [
            {
                name: e.clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        // --output json: the AWS CLI's configured default output (text, yaml) would break the plugin.
                        args: ["eks", "get-token", "--cluster-name", e.clusterName, "--region", e.region, "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}
