import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry } from "../components";
import { parseStackConfig, PROJECT, readStackConfig, toComponentArgs } from "../program/config";
import { formatSynth, synthStack } from "../program/offline/synth";
import { listStacks, readStackFile, SECURE_PLACEHOLDER, stackFilePath } from "../program/offline/stackFile";
import * as YAML from "yaml";
import { isSecretValue, useMocks } from "./support/mocks";
import { thrownBy } from "./support/evaluate";

const ROOT = path.resolve(__dirname, "..");

function configError(raw: Record<string, unknown>): string {
    const error = thrownBy(() => parseStackConfig(raw));
    assert.ok(pulumi.InputPropertiesError.isInstance(error), String(error));
    return error.message;
}

const minimal = {
    registry: { type: "docker", server: "harbor.example.com", prefix: "dify", username: "u", password: "p" },
    chart: { version: "3.7.4" },
};

describe("stack config", () => {
    afterEach(() => {
        pulumi.runtime.setAllConfig({});
        useMocks();
    });

    it("reads structured keys (as `pulumi config set --path` writes them) and wraps credentials as secrets", async () => {
        useMocks();
        pulumi.runtime.setAllConfig({
            [`${PROJECT}:namespace`]: "dify-dev",
            [`${PROJECT}:createNamespace`]: "false",
            [`${PROJECT}:registry`]: JSON.stringify({ type: "dockerhub", namespace: "acme", username: "acme-ci", token: "tok" }),
            [`${PROJECT}:chart`]: JSON.stringify({ version: "3.9.1", kind: "release" }),
        });
        const config = readStackConfig();
        assert.deepEqual(config, {
            namespace: "dify-dev",
            createNamespace: false,
            registry: { type: "dockerhub", namespace: "acme", username: "acme-ci", token: "tok" },
            chart: { version: "3.9.1", kind: "release" },
        });
        const args = toComponentArgs(config);
        const registry = args.registry as unknown as { token: pulumi.Output<string>; username: string };
        assert.equal(await pulumi.isSecret(registry.token), true);
        assert.equal(registry.username, "acme-ci");
    });

    it("names a mistyped key", () => {
        const msg = configError({ ...minimal, registry: { ...minimal.registry, pasword: "p" } });
        assert.match(
            msg,
            /dify-plugin-registry:registry\.pasword: unknown key; did you mean `password`\? \(valid: type, server, prefix, username, password, insecure\)/,
        );
    });

    it("names the registry type key and the valid types, in the component's words (the README's)", () => {
        assert.match(
            configError({ ...minimal, registry: { type: "harbor" } }),
            /dify-plugin-registry:registry\.type: unknown registry type "harbor"; valid types: "docker", "dockerhub", "ecr", "acr", "aliyun", "tcr"/,
        );
        // The README's "Errors you may hit" row, as documented (abridged there).
        const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
        const documented = /^\| `(registry\.type: unknown registry type "quay"; valid types: [^`]*)`/m.exec(readme)?.[1];
        assert.ok(documented, "the README documents the unknown registry type message");
        assert.ok(configError({ ...minimal, registry: { type: "quay" } }).includes(`dify-plugin-registry:${documented}`));
        assert.match(
            configError({ ...minimal, registry: { server: "h.example.com" } }),
            /registry\.type: is required; valid types: "docker"/,
        );
    });

    it("names a wrong type; a missing required key is left to the component, which says what would be valid", () => {
        const msg = configError({ registry: { ...minimal.registry, insecure: "yes" } });
        assert.match(msg, /dify-plugin-registry:registry\.insecure: expected boolean, received string/);
        assert.ok(!msg.includes(":chart"), msg);
        const args = toComponentArgs(parseStackConfig({ registry: minimal.registry }));
        assert.match(thrownBy(() => new DifyPluginRegistry("x", args)).message, /chart\.version: must be a pinned semver version/);
    });

    it("names an unknown top-level key", () => {
        assert.match(configError({ ...minimal, regsitry: {} }), /dify-plugin-registry:regsitry: unknown key; did you mean `registry`\?/);
    });
});

describe("stack files", () => {
    after(() => {
        pulumi.runtime.setAllConfig({});
        useMocks();
    });

    it("has the local, dev and prod stacks", () => {
        const stacks = listStacks(ROOT);
        for (const stack of ["local", "dev", "prod"]) {
            assert.ok(stacks.includes(stack), `stacks/Pulumi.${stack}.yaml is missing`);
        }
    });

    for (const stack of ["local", "dev", "prod"]) {
        it(`${stack}: validates and evaluates under mocks`, async () => {
            const file = readStackFile(stackFilePath(ROOT, stack));
            const result = await synthStack(stack, file);
            const types = result.resources.map((r) => r.type);
            assert.ok(types.includes("dify:index:PluginRegistry"));
            assert.ok(types.includes("kubernetes:core/v1:Secret"));
            assert.ok(types.some((t) => t.startsWith("kubernetes:helm.sh/")));
            const connector = result.pluginConnector as Record<string, unknown>;
            assert.equal(connector.imageRepoSecret, "image-repo-secret");
            // The chart keeps its own generatorConf unless a stack mirrors images or changes python.
            const raw = file.config[`${PROJECT}:pluginConnector`];
            const changes = raw === undefined ? undefined : (JSON.parse(raw) as Record<string, unknown>);
            const owned = changes?.imageMirror !== undefined || changes?.python !== undefined;
            assert.equal(typeof connector.generatorConf, owned ? "string" : "undefined");
        });
    }

    it("local: renders YAML through an explicit provider that every Kubernetes child uses", async () => {
        const result = await synthStack("local", readStackFile(stackFilePath(ROOT, "local")));
        const provider = result.resources.find((r) => r.type === "pulumi:providers:kubernetes");
        assert.ok(provider, "a Kubernetes provider is registered");
        assert.equal(provider.inputs.renderYamlToDirectory, "rendered");
        const kube = result.resources.filter((r) => r.type.startsWith("kubernetes:"));
        assert.deepEqual(
            kube.map((r) => r.type),
            ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:Secret", "kubernetes:helm.sh/v4:Chart"],
        );
        for (const r of kube) {
            assert.match(String(r.provider), /pulumi:providers:kubernetes::kubernetes::/, `${r.type} uses the explicit provider`);
        }
        const connector = result.pluginConnector as Record<string, unknown>;
        assert.equal(connector.imageRepoPrefix, "localhost:5000/dify-plugins");
        assert.equal(connector.insecureImageRepo, true);
    });

    it("prod: a Helm release in an existing namespace, mirrored images, scheduling", async () => {
        const file = readStackFile(stackFilePath(ROOT, "prod"));
        assert.deepEqual(file.placeholders, [`${PROJECT}:registry.password`]);
        const result = await synthStack("prod", file);
        assert.deepEqual(
            result.resources.map((r) => r.type),
            ["dify:index:PluginRegistry", "kubernetes:core/v1:Secret", "pulumi-nodejs:dynamic:Resource", "kubernetes:helm.sh/v3:Release"],
        );
        const connector = result.pluginConnector as Record<string, unknown>;
        assert.equal(connector.gatewayImage, "harbor.internal.example.com/dify-mirror/nginx:1.29.4-alpine");
        assert.equal(connector.replicas, 2);
        const secret = result.resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        assert.ok(isSecretValue(secret.inputs.data));
    });

    it("synth output shows placeholders for secure values and redacts the Secret", async () => {
        const file = readStackFile(stackFilePath(ROOT, "dev"));
        const text = formatSynth("dev", file, await synthStack("dev", file));
        const report = YAML.parse(text) as { notes: string[] };
        assert.deepEqual(report.notes, [
            "secure values shown as placeholders (not decrypted offline): dify-plugin-registry:registry.token",
        ]);
        assert.match(text, /data: "\[secret\]"/);
        assert.match(text, /imageRepoPrefix: docker\.io\/acme/);
        assert.ok(!text.includes(Buffer.from(`acme-ci:${SECURE_PLACEHOLDER}`).toString("base64")));
    });
});
