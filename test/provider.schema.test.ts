import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as argsSchema from "../components/argsSchema";
import { allRegistryKinds } from "../components/registries";
import { packageVersion } from "../provider/main";
import { PACKAGE_RESOURCE_TOKENS } from "../components/resources/host";
import { SERVED_RESOURCES } from "../provider/customResources";
import { PLUGIN_REGISTRY_TOKEN, packageSchema } from "../provider/schema";
import { FakeEngine, ProviderProcess } from "./support/providerHarness";

describe("provider: GetSchema over gRPC", () => {
    let engine: FakeEngine;
    let provider: ProviderProcess;
    let schema: any;

    before(async () => {
        engine = new FakeEngine();
        await engine.start();
        provider = await ProviderProcess.start(engine.address);
        schema = await provider.schema();
    });
    after(() => {
        provider?.stop();
        engine?.stop();
    });

    const resolveRef = (ref: string) => schema.types[decodeURIComponent(ref.replace(/^#\/types\//, ""))];
    const component = () => schema.resources[PLUGIN_REGISTRY_TOKEN];

    it("prints its port, and only its port, as the first line of stdout", () => {
        assert.match(provider.firstLine, /^\d+$/);
    });

    it("npm run --silent provider prints only the port on its first line", async () => {
        const child = spawn("npm", ["run", "--silent", "provider"], {
            cwd: path.resolve(__dirname, ".."),
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        });
        try {
            const first = await new Promise<string>((resolve, reject) => {
                let out = "";
                child.stdout.on("data", (d) => {
                    out += d;
                    if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
                });
                child.on("exit", (code) => reject(new Error(`exited ${code}`)));
            });
            assert.match(first, /^\d+$/);
        } finally {
            process.kill(-child.pid!); // npm, its shell and the provider: the group this test started
        }
    });

    it("serves packageSchema() with the npm package's version (what the example checks read in-process)", () => {
        assert.deepEqual(schema, packageSchema(packageVersion()));
        assert.equal(schema.version, require("../package.json").version);
    });

    it("names the package dify-plugin-registry and has the component under dify-plugin-registry:index:PluginRegistry", () => {
        assert.equal(schema.name, "dify-plugin-registry");
        // The component, then the custom resources it creates under the provider (provider/customResources.ts).
        assert.deepEqual(Object.keys(schema.resources), [PLUGIN_REGISTRY_TOKEN, ...Object.values(PACKAGE_RESOURCE_TOKENS)]);
        assert.equal(component().isComponent, true);
        assert.deepEqual(component().requiredInputs, ["chart"]);
    });

    it("has one input block per registry kind, with every option of the kind's config shape", () => {
        for (const kind of allRegistryKinds()) {
            const block = component().inputProperties[kind.type];
            assert.ok(block?.$ref, `${kind.type} is an input block`);
            const type = resolveRef(block.$ref);
            const options = Object.entries(kind.configSchema.shape)
                .filter(([key, field]) => key !== "type" && ((field as any).def.innerType ?? field).def.type !== "unknown")
                .map(([key]) => key);
            assert.deepEqual(Object.keys(type.properties).sort(), options.sort(), kind.type);
        }
        assert.deepEqual(Object.keys(component().inputProperties), [
            "namespace",
            "createNamespace",
            ...allRegistryKinds().map((k) => k.type),
            "chart",
            "pluginConnector",
            "pushCheck",
        ]);
    });

    it("states chart and pluginConnector with the keys (and required ones) of the component's own argument schemas", () => {
        const pairs: [string, any][] = [
            ["Chart", argsSchema.chartSchema],
            ["PluginConnector", argsSchema.pluginConnectorSchema],
            ["HelperImages", argsSchema.helperImagesSchema],
            ["Python", argsSchema.pythonSchema],
            ["MirrorImages", argsSchema.mirrorImagesSchema],
            ["MirrorRegistry", argsSchema.mirrorRegistrySchema],
            ["ServiceAccountNames", argsSchema.serviceAccountNamesSchema],
            // The schema's PushCheck is TypeScript's boolean | PushCheckArgs in one object: `enabled` is the boolean.
            ["PushCheck", argsSchema.pushCheckArgsSchema.extend({ enabled: argsSchema.pushCheckArgsSchema.shape.caFile })],
        ];
        for (const [name, zod] of pairs) {
            const type = schema.types[`dify-plugin-registry:index:${name}`];
            assert.deepEqual(Object.keys(type.properties).sort(), Object.keys(zod.shape).sort(), name);
            const required = Object.entries<any>(zod.shape)
                .filter(([, f]) => f.def.type !== "optional")
                .map(([k]) => k);
            assert.deepEqual(type.required ?? [], required, `${name} required`);
        }
    });

    it("states the served resources with the secret inputs and outputs their provider objects keep secret", () => {
        const secretsOf = (props: Record<string, any>) =>
            Object.entries(props)
                .filter(([, p]) => p.secret)
                .map(([k]) => k)
                .sort();
        const served = (token: string) => schema.resources[token];
        assert.deepEqual(secretsOf(served(PACKAGE_RESOURCE_TOKENS.pushCheck).inputProperties), ["auth", "ecr"]);
        assert.deepEqual(secretsOf(served(PACKAGE_RESOURCE_TOKENS.pushCheck).properties), ["loginHash", "salt"]);
        assert.deepEqual(secretsOf(served(PACKAGE_RESOURCE_TOKENS.imageMirror).inputProperties), ["auth"]);
        assert.deepEqual(secretsOf(served(PACKAGE_RESOURCE_TOKENS.imageMirror).properties), []);
        assert.deepEqual(secretsOf(served(PACKAGE_RESOURCE_TOKENS.tcrToken).properties), ["secretId", "secretKey", "token"]);
        for (const token of Object.values(PACKAGE_RESOURCE_TOKENS)) {
            assert.equal(served(token).isComponent, undefined, token);
            // The schema's secret outputs are the ones the provider wraps (SERVED_RESOURCES), the dynamic resources' own.
            for (const key of SERVED_RESOURCES[token].secretOutputs)
                assert.equal(served(token).properties[key]?.secret, true, `${token} ${key}`);
        }
    });

    it("marks every credential secret (each kind's secretKeys, the mirror login, the chart server's login), and nothing else", () => {
        const secrets: string[] = [];
        for (const [token, type] of Object.entries<any>(schema.types)) {
            for (const [key, property] of Object.entries<any>(type.properties ?? {})) {
                if (property.secret) {
                    secrets.push(`${token.split(":")[2]}.${key}`);
                }
            }
        }
        const expected = allRegistryKinds().flatMap((kind) => {
            const typeName =
                resolveRef(component().inputProperties[kind.type].$ref) && component().inputProperties[kind.type].$ref.split(":")[2];
            return kind.secretKeys.map((key) => `${typeName}.${key}`);
        });
        // The served push check's ECR key (EcrLogin) is a credential too.
        assert.deepEqual(
            secrets.sort(),
            [...expected, "MirrorImages.auth", "PushCheck.auth", "EcrLogin.secretAccessKey", "Chart.password", "Chart.auth"].sort(),
        );
        assert.ok(expected.includes("DockerRegistry.password") && expected.includes("TcrRegistry.secretKey"));
    });

    it("states the outputs of the TypeScript class, none secret", () => {
        assert.deepEqual(Object.keys(component().properties), [
            "namespace",
            "secretName",
            "imageRepoPrefix",
            "imageRepoType",
            "pluginConnectorValues",
            "registryOutputs",
        ]);
        assert.ok(Object.values<any>(component().properties).every((p) => !p.secret));
    });

    it("refers only to types it defines, and every required property exists", () => {
        const refs: string[] = [];
        const walk = (v: unknown) => {
            if (Array.isArray(v)) {
                v.forEach(walk);
            } else if (v && typeof v === "object") {
                for (const [k, x] of Object.entries(v)) {
                    if (k === "$ref" && typeof x === "string") {
                        refs.push(x);
                    } else {
                        walk(x);
                    }
                }
            }
        };
        walk(schema);
        for (const ref of refs) {
            assert.ok(ref === "pulumi.json#/Any" || resolveRef(ref), `${ref} is defined`);
        }
        for (const [token, type] of Object.entries<any>(schema.types)) {
            for (const key of type.required ?? []) {
                assert.ok(type.properties[key], `${token}.${key}`);
            }
        }
    });
});
