"use strict";
// A user's program that reaches DifyPluginRegistry only through the package's provider (a remote component, as a
// Python, Go, C#, Java or YAML program does): test/engine/construct.engine.test.ts. The password is another resource's
// output, the component depends on a third resource, and its Kubernetes provider is explicit; stack config turns on
// a secret chart block, protect, and a rename with an alias.
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");

/** `dify-plugin-registry:index:PluginRegistry`, constructed by the provider (remote), as the generated SDKs do. */
class PluginRegistry extends pulumi.ComponentResource {
    constructor(name, args, opts) {
        super("dify-plugin-registry:index:PluginRegistry", name, args, opts, true);
    }
}

const config = new pulumi.Config();
const provider = new k8s.Provider("cluster", { kubeconfig: config.require("kubeconfig") });
const login = new k8s.core.v1.ConfigMap(
    "login",
    { metadata: { name: "registry-login", namespace: "default" }, data: { password: config.requireSecret("password") } },
    { provider },
);
const gate = new k8s.core.v1.ConfigMap("gate", { metadata: { name: "gate", namespace: "default" }, data: { ready: "yes" } }, { provider });

// A Helm release: its values are in the state (a helm.v4.Chart keeps only the rendered objects).
const chart = {
    version: config.require("chartVersion"),
    repository: config.require("chartRepository"),
    kind: "release",
    skipAwait: true,
    values: { plugin_connector: { pluginDr: { gcInterval: config.get("gcInterval") ?? "300s" } } },
};
new PluginRegistry(
    config.get("name") ?? "dify",
    {
        namespace: "dify",
        docker: {
            server: config.require("server"),
            prefix: "dify/plugins",
            username: config.require("username"),
            password: login.data.apply((data) => data.password),
        },
        chart: config.getBoolean("secretChart") ? pulumi.secret(chart) : chart,
        pushCheck: { enabled: false },
    },
    {
        providers: { kubernetes: provider },
        dependsOn: [gate],
        protect: config.getBoolean("protect") ?? false,
        aliases: (config.getObject("aliases") ?? []).map((name) => ({ name })),
    },
);
