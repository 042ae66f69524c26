// The examples in other languages through the real engine (issue 19, item 4), each as README shows it, against a real
// API server with the push check on and mirrorImages between loopback registries (test/support/mirrorWorld.ts): up, a
// no-change preview, destroy. The provider is an ambient plugin (its launcher on PATH). The objects in the cluster are
// the ones the stack program (TypeScript) creates for the same settings, and no resource of the stack is a dynamic one
// (they cannot run under another language: pulumi/pulumi#5455).
// - examples/python: the Python SDK generated from the schema the provider serves (the CLI reads it from the launcher;
//   pkg/v3's generator writes it), pip-installed into a virtualenv with the `pulumi` package of the CLI's release, run by
//   the Python language host.
// - examples/yaml: run by the YAML language host, which reads the schema from the provider itself.
// - examples/java: the Java SDK generated from the same schema by the Java language host (pulumi package gen-sdk),
//   compiled with the program and run by that host through Maven, offline from the cached repository
//   (test/support/javaSdk.ts).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { apiServerAvailable, ENGINE_TOOLS_HINT } from "../support/apiServer";
import { generateJavaSdk, JAVA_HINT, javaToolsAvailable, mavenRepo, resolveMaven } from "../support/javaSdk";
import {
    generateSdk,
    installPythonSdk,
    languageToolsAvailable,
    pluginBinDir,
    pythonVenv,
    SDKGEN_HINT,
    servedSchema,
} from "../support/languageSdks";
import {
    assertMirrorHoldsAll,
    assertNoDynamicResources,
    byName,
    comparable,
    expectedObjects,
    MIRROR_PASSWORD,
    MIRRORED,
    type MirrorWorld,
    PLUGIN_PASSWORD,
    PLUGIN_USER,
    readBack,
    startMirrorWorld,
} from "../support/mirrorWorld";
import { EngineWorkspace, pulumiBinary } from "../support/pulumiEngine";
import { packageVersion } from "../../provider/version";
import { INSTALL_HINT, registryAvailable } from "../support/registry";

type Json = Record<string, any>;
const EXAMPLES = path.resolve(__dirname, "..", "..", "examples");

/** The example's Pulumi.yaml without `packages:`: that names the package's git home, which `pulumi package add` fetches;
 * here the provider is on PATH (and the SDK generated from it). */
function projectFileOf(example: string): Json {
    const { packages: _, ...project } = YAML.parse(fs.readFileSync(path.join(EXAMPLES, example, "Pulumi.yaml"), "utf8"));
    return project;
}

/** The stack config both examples read (their keys are the same), for this world. */
function exampleConfig(world: MirrorWorld): Record<string, unknown> {
    return {
        harborServer: world.plugins.host,
        harborRobot: PLUGIN_USER,
        harborCaFile: world.plugins.caFile,
        imageMirror: world.imageMirror,
        mirrorRegistries: { [world.source.host]: { insecure: true }, [world.mirror.host]: { caFile: world.mirror.caFile } },
        chartVersion: world.repo.version,
        chartRepository: world.repo.url,
        chartDefaultValuesFile: world.valuesFile,
        "kubernetes:kubeconfig": world.api.kubeconfigPath,
    };
}

/**
 * up, the objects, preview, secrets, destroy: the same for every language; `workspace` makes the user's project.
 * `versionedComponent`: the program asks for the package at its version, as the resources the provider creates under
 * the component do — one provider process. The generated SDKs do (the schema's `respectSchemaVersion`); a YAML program
 * without `packages:` names no version, so the engine starts a second, unversioned provider for the component.
 */
function describeExample(
    title: string,
    versionedComponent: boolean,
    workspace: (world: MirrorWorld, pluginBin: string) => Promise<EngineWorkspace>,
): void {
    describe(title, () => {
        let world: MirrorWorld;
        let ws: EngineWorkspace;
        let firstUp: string;

        before(async () => {
            assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
            assert.ok(languageToolsAvailable(), `a language host, the SDK generator or the virtualenv is missing; ${SDKGEN_HINT}`);
            assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
            world = await startMirrorWorld();
            ws = await workspace(world, pluginBinDir());
            await ws.init(exampleConfig(world));
            await ws.setSecret("harborRobotSecret", PLUGIN_PASSWORD);
            await ws.setSecret("mirrorAuth", world.mirrorAuth);
        });
        after(async () => {
            await world?.stop();
            ws?.remove();
        });

        it("pulumi up succeeds", async () => {
            firstUp = await ws.ok(["up", "--yes", "--skip-preview"]);
            assert.match(firstUp, /Resources:/);
        });

        it("no resource of the stack is a dynamic one; the push check and the image mirror ran as the provider's own", async () => {
            const resources = JSON.parse(await ws.ok(["stack", "export"])).deployment.resources as Json[];
            assertNoDynamicResources(resources);
            const check = byName(resources, "dify-push-check");
            assert.equal(check.type, "dify-plugin-registry:index:RegistryPushCheck");
            assert.equal(check.outputs.steps.length, 4, "every step of the check ran");
            const mirror = byName(resources, "dify-image-mirror");
            assert.equal(mirror.type, "dify-plugin-registry:index:ImageMirror");
            assert.equal(mirror.outputs.lastRun.copied, MIRRORED.length, JSON.stringify(mirror.outputs.lastRun));
        });

        it("the providers of this package the engine started: the component's and the resources' under it", async () => {
            const resources = JSON.parse(await ws.ok(["stack", "export"])).deployment.resources as Json[];
            const providers = resources.filter((r) => r.type === "pulumi:providers:dify-plugin-registry");
            const atVersion = `default_${packageVersion().replace(/\./g, "_")}`;
            assert.deepEqual(
                providers.map((r) => String(r.urn).split("::").pop()),
                versionedComponent ? [atVersion] : ["default", atVersion],
            );
        });

        it("the cluster holds the objects the TypeScript stack program creates for the same settings", async () => {
            assert.deepEqual(comparable(await readBack(world)), expectedObjects(world));
        });

        it("the mirror holds every image under the source's digest", async () => {
            await assertMirrorHoldsAll(world);
        });

        it("pulumi preview --expect-no-changes passes", async () => {
            await ws.ok(["preview", "--expect-no-changes"]);
        });

        it("neither the state nor the up's output holds a password", async () => {
            const state = await ws.ok(["stack", "export"]);
            for (const needle of [PLUGIN_PASSWORD, MIRROR_PASSWORD, Buffer.from(`${PLUGIN_USER}:${PLUGIN_PASSWORD}`).toString("base64")]) {
                assert.ok(!state.includes(needle), `the state holds ${needle}`);
                assert.ok(!firstUp.includes(needle), `the up's output holds ${needle}`);
            }
        });

        it("pulumi destroy removes what it created", async () => {
            await ws.ok(["destroy", "--yes", "--skip-preview"]);
            const left = await world.api.kubectl([
                "-n",
                "dify",
                "get",
                "secrets,deployments,configmaps",
                "--ignore-not-found",
                "-o",
                "name",
            ]);
            assert.deepEqual(
                left.split("\n").filter((l) => l.includes("plugin-connector") || l.includes("image-repo-secret")),
                [],
            );
        });
    });
}

describeExample("engine: examples/python (the generated Python SDK), push check and mirrorImages on", true, async (world, bin) => {
    const project = path.join(world.dir, "project");
    fs.mkdirSync(project);
    fs.copyFileSync(path.join(EXAMPLES, "python", "__main__.py"), path.join(project, "__main__.py"));
    const schema = await servedSchema(bin, world.dir);
    await installPythonSdk(await generateSdk("python", schema, path.join(world.dir, "sdk", "python")));
    const projectFile = projectFileOf("python");
    return new EngineWorkspace({
        project: projectFile.name,
        program: path.join(project, "__main__.py"),
        projectDir: project,
        projectFile,
        // The v3.68 Python host ignores `virtualenv:`: the virtualenv's python first on PATH, as that host expects.
        path: [path.join(pythonVenv(), "bin"), bin],
    });
});

describeExample("engine: examples/yaml (the YAML language host), push check and mirrorImages on", false, async (world, bin) => {
    const project = path.join(world.dir, "project");
    fs.mkdirSync(project);
    const projectFile = projectFileOf("yaml");
    return new EngineWorkspace({ project: projectFile.name, program: project, projectDir: project, projectFile, path: [bin] });
});

describeExample(
    "engine: examples/java (the generated Java SDK, the Java language host), push check and mirrorImages on",
    true,
    async (world, bin) => {
        assert.ok(javaToolsAvailable(), `the Java tools are missing; ${JAVA_HINT}`);
        const project = path.join(world.dir, "project");
        const example = path.join(EXAMPLES, "java");
        fs.cpSync(example, project, {
            recursive: true,
            filter: (src) => !["target", "sdks"].includes(path.relative(example, src).split(path.sep)[0]),
        });
        const schema = await servedSchema(bin, world.dir);
        await generateJavaSdk(schema, path.join(project, "sdks", "dify-dify-plugin-registry"));
        await resolveMaven(project);
        // The host runs `mvn`: offline, from the cached repository (Maven reads the project's .mvn/maven.config).
        fs.mkdirSync(path.join(project, ".mvn"));
        fs.writeFileSync(path.join(project, ".mvn", "maven.config"), `-o\n-Dmaven.repo.local=${mavenRepo()}\n`);
        const projectFile = projectFileOf("java");
        return new EngineWorkspace({ project: projectFile.name, program: project, projectDir: project, projectFile, path: [bin] });
    },
);
