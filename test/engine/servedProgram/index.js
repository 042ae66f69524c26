"use strict";
// A program that reaches DifyPluginRegistry only through the package's provider (a remote component, as the generated
// Python, Go, .NET, Java and YAML SDKs register it), with the push check on and pluginConnector.mirrorImages set:
// test/engine/servedResources.engine.test.ts. Under the provider the push check and the image mirror must be the
// package's own resources, served by its provider process, not dynamic resources.
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");
const YAML = require("yaml");

/** `dify-plugin-registry:index:PluginRegistry`, constructed by the provider (remote). */
class PluginRegistry extends pulumi.ComponentResource {
    constructor(name, args, opts) {
        super("dify-plugin-registry:index:PluginRegistry", name, args, opts, true);
    }
}

const config = new pulumi.Config();
const mirrorHost = config.require("mirrorHost");
const sourceHost = config.require("sourceHost");

new PluginRegistry(
    "dify",
    {
        namespace: "dify",
        docker: {
            server: config.require("server"),
            prefix: "dify/plugins",
            username: config.require("username"),
            password: config.requireSecret("password"),
        },
        chart: {
            version: config.require("chartVersion"),
            repository: config.require("chartRepository"),
            defaultValues: YAML.parse(fs.readFileSync(config.require("defaultValuesFile"), "utf8")),
        },
        pushCheck: { caFile: config.require("caFile") },
        pluginConnector: {
            imageMirror: `${mirrorHost}/dify-mirror`,
            mirrorImages: {
                auth: config.requireSecret("mirrorAuth"),
                registries: { [sourceHost]: { insecure: true }, [mirrorHost]: { caFile: config.require("mirrorCaFile") } },
            },
        },
    },
    // The cluster is the default Kubernetes provider's: stack config kubernetes:kubeconfig.
);
