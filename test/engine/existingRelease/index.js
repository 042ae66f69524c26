// An install made outside the stack, as `kubectl create namespace` + `helm install dify` leave it: the namespace and a
// Helm release `dify` with the user's values (docs/ecr.md's guide adopts both). Its stack is removed afterwards with
// `pulumi stack rm --force`, which forgets the objects and leaves them in the cluster.
const k8s = require("@pulumi/kubernetes");
const pulumi = require("@pulumi/pulumi");

const config = new pulumi.Config();
const provider = new k8s.Provider("cluster", { kubeconfig: config.require("kubeconfig") });
const namespace = new k8s.core.v1.Namespace("dify", { metadata: { name: "dify" } }, { provider });
new k8s.helm.v3.Release(
    "dify",
    {
        name: "dify",
        namespace: "dify",
        chart: "dify",
        version: config.require("version"),
        repositoryOpts: { repo: config.require("repository") },
        values: config.requireObject("values"),
        // The API server runs no pods: Helm must not wait for a rollout (the stand-in chart says the same to Pulumi).
        skipAwait: true,
    },
    { provider, dependsOn: [namespace] },
);
