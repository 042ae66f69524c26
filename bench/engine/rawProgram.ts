/**
 * The stack program written by hand as raw resources, for `npm run bench:engine` (bench/engine.bench.ts): what the
 * project's stack program (`index.ts`) creates for a `docker` registry, without the component — a Kubernetes provider
 * from `kubernetes.kubeconfig`, the Namespace, `image-repo-secret` (dockerconfigjson, both keys) and the Dify chart as
 * `helm.v4.Chart` with the same `plugin_connector` keys. The same shape as the mocks benchmark's hand-written program
 * (bench/programs.ts, which is fixed to example hosts and N instances), here for one instance read from the same stack
 * config keys as the stack program (project `dify-plugin-registry`), so both sides run on one stack file.
 *
 * No push check: the component's is a dynamic resource with no hand-written peer.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

interface RegistryConfig {
    readonly server: string;
    readonly prefix: string;
    readonly username: string;
    readonly password: string;
}

const cfg = new pulumi.Config("dify-plugin-registry");
const namespaceName = cfg.get("namespace") ?? "dify";
const registry = cfg.requireObject<RegistryConfig>("registry");
const chart = cfg.requireObject<{ version: string; repository: string }>("chart");
const kubeconfig = cfg.getObject<{ kubeconfig?: string }>("kubernetes")?.kubeconfig;

// As the stack program: the kubeconfig (a path here) and the password are secret.
const provider = new k8s.Provider("kubernetes", { kubeconfig: kubeconfig === undefined ? undefined : pulumi.secret(kubeconfig) });
const opts = { provider };
const password = pulumi.secret(registry.password);

const ns = new k8s.core.v1.Namespace("dify-namespace", { metadata: { name: namespaceName } }, opts);

const secret = new k8s.core.v1.Secret(
    "dify-image-repo-secret",
    {
        metadata: { name: "image-repo-secret", namespace: ns.metadata.name },
        type: "kubernetes.io/dockerconfigjson",
        data: password.apply((pw) => {
            const auth = Buffer.from(`${registry.username}:${pw}`, "utf8").toString("base64");
            const encoded = Buffer.from(JSON.stringify({ auths: { [registry.server]: { auth } } }), "utf8").toString("base64");
            return { ".dockerconfigjson": encoded, "config.json": encoded };
        }),
    },
    opts,
);

new k8s.helm.v4.Chart(
    "dify-dify",
    {
        name: "dify",
        chart: "dify",
        version: chart.version,
        repositoryOpts: { repo: chart.repository },
        namespace: ns.metadata.name,
        values: {
            plugin_connector: {
                imageRepoSecret: "image-repo-secret",
                imageRepoPrefix: `${registry.server}/${registry.prefix}`,
                imageRepoType: "docker",
                insecureImageRepo: false,
                // The chart keeps its own helper images and generatorConf.
            },
        },
        skipAwait: false,
    },
    { ...opts, dependsOn: [ns, secret] },
);

export const namespace = ns.metadata.name;
export const secretName = secret.metadata.name;
