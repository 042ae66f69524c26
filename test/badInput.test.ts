import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { rejected } from "./support/rejected";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { evaluateFailingLater } from "./support/evaluate";

const valid: DifyPluginRegistryArgs = {
    registry: { type: "docker", server: "harbor.example.com", prefix: "dify-plugins", username: "robot", password: pulumi.secret("pw") },
    chart: { version: "3.7.4" },
};
type Loose = Record<string, unknown>;

const withRegistry = (registry: Loose): unknown => ({ ...valid, registry });
const withDocker = (over: Loose): unknown => withRegistry({ ...(valid.registry as unknown as Loose), ...over });
const withChart = (over: Loose): unknown => ({ ...valid, chart: { ...valid.chart, ...over } });
const withConnector = (pluginConnector: Loose): unknown => ({ ...valid, pluginConnector });

describe("DifyPluginRegistry rejects bad input before registering anything", () => {
    it("an unknown registry type, listing the valid ones", async () => {
        const msg = await rejected(withRegistry({ type: "quay", server: "quay.io" }));
        assert.match(msg, /registry\.type: unknown registry type "quay"; valid types: "docker", "dockerhub"/);
    });

    it("a missing registry", async () => {
        assert.match(await rejected({ chart: { version: "3.7.4" } }), /registry: is required/);
    });

    for (const [what, over, path] of [
        ["a missing password", { password: undefined }, "registry.password"],
        ["an empty password", { password: "" }, "registry.password"],
        ["a blank username", { username: "  " }, "registry.username"],
    ] as const) {
        it(what, async () => {
            assert.match(await rejected(withDocker(over)), new RegExp(`${path.replace(".", "\\.")}: .*required and must not be empty`));
        });
    }

    it("a missing Docker Hub token", async () => {
        const msg = await rejected(withRegistry({ type: "dockerhub", namespace: "acme", username: "acme" }));
        assert.match(msg, /registry\.token: the Docker Hub access token is required/);
    });

    for (const [prefix, hint] of [
        ["https://harbor.example.com/dify", /has a scheme/],
        ["Dify-Plugins", /has uppercase letters/],
        ["dify-plugins:latest", /has a tag or digest/],
        ["dify-plugins@sha256:abc", /has a tag or digest/],
        ["dify-plugins/", /leading or trailing slash/],
        ["", /is required/],
    ] as const) {
        it(`a prefix like ${JSON.stringify(prefix)}`, async () => {
            const msg = await rejected(withDocker({ prefix }));
            assert.match(msg, /registry\.prefix: /);
            assert.match(msg, hint);
        });
    }

    for (const server of ["https://harbor.example.com", "harbor.example.com/dify", "harbor.example.com:99999", "harbor_example com", ""]) {
        it(`a server like ${JSON.stringify(server)}`, async () => {
            assert.match(await rejected(withDocker({ server })), /registry\.server: .*(hostname\[:port\]|ports are 1-65535|is required)/);
        });
    }

    it("insecure on Docker Hub", async () => {
        const msg = await rejected(withRegistry({ type: "dockerhub", namespace: "acme", username: "acme", token: "t", insecure: true }));
        assert.match(msg, /registry\.insecure: Docker Hub is always HTTPS/);
    });

    it("a Docker Hub namespace that is a path", async () => {
        const msg = await rejected(withRegistry({ type: "dockerhub", namespace: "docker.io/acme", username: "acme", token: "t" }));
        assert.match(msg, /registry\.namespace: .*bare Docker Hub namespace/);
    });

    it("an imageRepoSecret other than image-repo-secret", async () => {
        const msg = await rejected(withChart({ values: { plugin_connector: { imageRepoSecret: "my-secret" } } }));
        assert.match(msg, /chart\.values\.plugin_connector\.imageRepoSecret: must be "image-repo-secret"/);
    });

    for (const version of ["3.7", "v3.7.4", "^3.7.4", "latest", undefined]) {
        it(`a chart version ${JSON.stringify(version)} that is not semver`, async () => {
            assert.match(await rejected(withChart({ version })), /chart\.version: must be a pinned semver version/);
        });
    }

    it("a mirror on a chart version outside the table, naming the version, the argument and the way out", async () => {
        const msg = await rejected({ ...(withChart({ version: "3.6.2" }) as Loose), pluginConnector: { imageMirror: "m.example.com/x" } });
        assert.ok(
            msg.includes(
                "pluginConnector.imageMirror: needs chart 3.6.2's own plugin_connector defaults to move every helper image and python " +
                    "build base, and the component's table has no entry for 3.6.2 (exact versions only: 3.5.3, 3.5.5, 3.7.4, 3.9.1); " +
                    "give chart.defaultValues, the output of `helm show values dify --repo https://langgenius.github.io/dify-helm " +
                    "--version 3.6.2` (in stack config: chart.defaultValuesFile)",
            ),
            msg,
        );
    });

    it("an unknown chart kind", async () => {
        assert.match(await rejected(withChart({ kind: "helmfile" })), /chart\.kind: must be "chart".*or "release"/);
    });

    // helm.v4.Chart has no timeout: a kind-specific key the other kind would drop is refused, as registry keys are.
    for (const kind of [undefined, "chart"]) {
        it(`chart.timeout with chart.kind ${kind ?? "unset (chart)"}: refused, naming the key and the kind it is for`, async () => {
            const msg = await rejected(withChart({ kind, timeout: 900 }));
            assert.ok(
                msg.includes(
                    'chart.timeout: is only used with chart.kind "release" (helm.v3.Release); helm.v4.Chart (kind "chart", the default) ' +
                        "has no timeout: set chart.kind: release, or remove chart.timeout",
                ),
                msg,
            );
        });
    }

    for (const key of ["3", "python3.12", "3.x", "2.7.1"]) {
        it(`a python version key ${JSON.stringify(key)}`, async () => {
            const msg = await rejected(withConnector({ python: { versions: { [key]: "img:1" } } }));
            assert.match(msg, /python version keys are "3\.N"/);
        });
    }

    for (const [key, arg] of [
        ["imageRepoPrefix", "registry"],
        ["insecureImageRepo", "registry.insecure"],
        ["gatewayImage", "pluginConnector.images.gateway"],
        ["generatorConf", "pluginConnector.python"],
        ["customServiceAccount", "pluginConnector.serviceAccounts.build"],
        ["nodeSelector", "pluginConnector.nodeSelector"],
    ] as const) {
        it(`chart.values.plugin_connector.${key}, naming ${arg}`, async () => {
            const msg = await rejected(withChart({ values: { plugin_connector: { [key]: "x" } } }));
            assert.ok(msg.includes(`chart.values.plugin_connector.${key}: is set by the component; use ${arg}`), msg);
        });
    }

    for (const namespace of ["Dify", "dify_ee", "-dify", "a".repeat(64), ""]) {
        it(`a namespace ${JSON.stringify(namespace)} that is not a DNS-1123 label`, async () => {
            assert.match(await rejected({ ...valid, namespace }), /namespace: .* is not a DNS-1123 label/);
        });
    }

    it("an image mirror with a scheme, and an unknown helper image key", async () => {
        // An unknown key is a shape problem, reported first; the scheme is a problem of meaning, reported on a sound shape.
        const shape = await rejected(withConnector({ imageMirror: "https://mirror.example.com/dify", images: { kaniko: "x:1" } }));
        assert.match(shape, /pluginConnector\.images\.kaniko: unknown key \(valid: gateway, shader, busyBox, awsCli\)/);
        const meaning = await rejected(withConnector({ imageMirror: "https://mirror.example.com/dify" }));
        assert.match(
            meaning,
            /pluginConnector\.imageMirror: "https:\/\/mirror\.example\.com\/dify" has a scheme; give `<registry host>\[\/<path>\]`/,
        );
        assert.ok(!meaning.includes("is not hostname"), meaning);
    });

    it("reports every problem at once", async () => {
        const msg = await rejected({
            namespace: "Bad",
            registry: { type: "docker", server: "x/y", prefix: "A", username: "u", password: "" },
            chart: { version: "latest" },
        });
        for (const path of ["namespace", "registry.server", "registry.prefix", "registry.password", "chart.version"]) {
            assert.ok(msg.includes(`  - ${path}: `), `${path} missing from:\n${msg}`);
        }
    });

    it("an empty secret password given as an Output: fails before any child is registered", async () => {
        const { error, resources } = await evaluateFailingLater(
            () => new DifyPluginRegistry("later", withDocker({ password: pulumi.secret("") }) as DifyPluginRegistryArgs),
        );
        assert.match(error.message, /^registry\.password: the registry password is required and must not be empty$/);
        assert.deepEqual(
            resources.map((r) => r.type),
            ["dify:index:PluginRegistry"],
        );
    });

    it("a bad prefix given as an Output: fails before any child is registered", async () => {
        const { error, resources } = await evaluateFailingLater(
            () => new DifyPluginRegistry("later2", withDocker({ prefix: pulumi.output("Bad/") }) as DifyPluginRegistryArgs),
        );
        assert.match(error.message, /^registry\.prefix: "Bad\/" has uppercase letters/);
        assert.ok(!error.message.includes("error serializing"), error.message);
        assert.deepEqual(
            resources.map((r) => r.type),
            ["dify:index:PluginRegistry"],
        );
    });
});
