/**
 * The two programs the benchmark compares. Both take the instance count and register, per instance, the same raw
 * resources with the same inputs: a Namespace, `image-repo-secret` (dockerconfigjson) and the Dify helm.v4.Chart with
 * the plugin_connector block. The component side additionally registers one `dify:index:PluginRegistry` component
 * resource per instance (the parent of the three).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry } from "../components";

export const SERVER = "harbor.example.com";
export const PREFIX = "dify-plugins";
export const USERNAME = "robot$dify";
export const PASSWORD = "hunter2";
export const CHART_VERSION = "3.7.4";

/** (a) What a user writes with the component. */
export function componentProgram(n: number): void {
    for (let i = 0; i < n; i++) {
        new DifyPluginRegistry(`dify-${i}`, {
            registry: { type: "docker", server: SERVER, prefix: PREFIX, username: USERNAME, password: pulumi.secret(PASSWORD) },
            namespace: `ns-${i}`,
            chart: { version: CHART_VERSION },
            // The push check is one more (dynamic) resource with no hand-written peer: compare the same three.
            pushCheck: false,
        });
    }
}

/** (b) The same raw resources written by hand, without the component (same resource names, so inputs compare 1:1). */
export function handWrittenProgram(n: number): void {
    for (let i = 0; i < n; i++) {
        const password = pulumi.secret(PASSWORD);
        const ns = new k8s.core.v1.Namespace(`dify-${i}-namespace`, { metadata: { name: `ns-${i}` } });

        const secret = new k8s.core.v1.Secret(`dify-${i}-image-repo-secret`, {
            metadata: { name: "image-repo-secret", namespace: ns.metadata.name },
            type: "kubernetes.io/dockerconfigjson",
            data: pulumi.secret(
                password.apply((pw) => {
                    const auth = Buffer.from(`${USERNAME}:${pw}`, "utf8").toString("base64");
                    const json = JSON.stringify({ auths: { [SERVER]: { auth } } });
                    const encoded = Buffer.from(json, "utf8").toString("base64");
                    return { ".dockerconfigjson": encoded, "config.json": encoded };
                }),
            ),
        });

        new k8s.helm.v4.Chart(
            `dify-${i}-dify`,
            {
                name: "dify",
                chart: "dify",
                version: CHART_VERSION,
                repositoryOpts: { repo: "https://langgenius.github.io/dify-helm" },
                namespace: ns.metadata.name,
                values: {
                    plugin_connector: {
                        imageRepoSecret: "image-repo-secret",
                        imageRepoPrefix: `${SERVER}/${PREFIX}`,
                        imageRepoType: "docker",
                        insecureImageRepo: false,
                        // The chart keeps its own helper images and generatorConf.
                    },
                },
                skipAwait: false,
            },
            { dependsOn: [ns, secret] },
        );
    }
}
