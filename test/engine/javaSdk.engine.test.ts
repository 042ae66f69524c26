// examples/java against the Java SDK generated from the schema the provider serves (issue 19, item 4): the CLI reads the
// schema from the provider's launcher, `pulumi package gen-sdk --language java --local` (the Java language host built
// from pulumi-java v1.16.0) writes the SDK where `pulumi package add` would (sdks/dify-dify-plugin-registry, which
// pom.xml compiles with the program), and Maven compiles the example as README shows it — offline, from a repository
// outside the checkout that the first run fills from Maven Central (test/support/javaSdk.ts). The schema's `plain`
// arguments are plain Java values: an Output given for `namespace` does not compile.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateJavaSdk, JAVA_HINT, javaToolsAvailable, maven, resolveMaven } from "../support/javaSdk";
import { pluginBinDir, servedSchema } from "../support/languageSdks";
import { ENGINE_TOOLS_HINT } from "../support/apiServer";
import { pulumiBinary } from "../support/pulumiEngine";

const EXAMPLE = path.resolve(__dirname, "..", "..", "examples", "java");
const APP = path.join("src", "main", "java", "difyplugins", "App.java");
const SDK_PACKAGE = path.join("src", "main", "java", "com", "dify", "difypluginregistry");

describe("engine: examples/java builds against the generated Java SDK", () => {
    let dir: string;
    let project: string;
    let schema: { version: string };

    before(async () => {
        assert.ok(pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
        assert.ok(javaToolsAvailable(), `the Java tools are missing; ${JAVA_HINT}`);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-java-sdk-"));
        project = path.join(dir, "project");
        // The project as a user has it: no build output, no SDK of an earlier run.
        fs.cpSync(EXAMPLE, project, {
            recursive: true,
            filter: (src) => !["target", "sdks"].includes(path.relative(EXAMPLE, src).split(path.sep)[0]),
        });
        const served = await servedSchema(pluginBinDir(), dir);
        schema = JSON.parse(served);
        await generateJavaSdk(served, path.join(project, "sdks", "dify-dify-plugin-registry"));
        await resolveMaven(project); // online once per pom.xml; every build below is offline
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("the SDK is where pom.xml takes it from, in the package the schema's basePackage states, at the schema's version", () => {
        const sdk = path.join(project, "sdks", "dify-dify-plugin-registry");
        assert.match(
            fs.readFileSync(path.join(project, "pom.xml"), "utf8"),
            /<difySdk>\$\{project\.basedir\}\/sdks\/dify-dify-plugin-registry<\/difySdk>/,
        );
        assert.ok(fs.existsSync(path.join(sdk, SDK_PACKAGE, "PluginRegistry.java")));
        const version = path.join(sdk, "src", "main", "resources", "com", "dify", "dify-plugin-registry", "version.txt");
        assert.equal(fs.readFileSync(version, "utf8").trim(), schema.version);
    });

    it("mvn -o compile compiles examples/java with the SDK", async () => {
        await maven(project, ["compile"]);
        const classes = path.join(project, "target", "classes");
        assert.ok(fs.statSync(path.join(classes, "difyplugins", "App.class")).size > 0);
        assert.ok(fs.existsSync(path.join(classes, "com", "dify", "difypluginregistry", "PluginRegistry.class")));
    });

    it("an Output where the schema says plain (namespace) does not compile", async () => {
        const app = path.join(project, APP);
        const source = fs.readFileSync(app, "utf8");
        assert.ok(source.includes('.namespace("dify")'));
        fs.writeFileSync(app, source.replace('.namespace("dify")', '.namespace(Output.of("dify"))'));
        try {
            await assert.rejects(maven(project, ["compile"]), (err: { stdout?: string; stderr?: string }) => {
                // Maven prints compiler errors on stdout.
                assert.match(
                    `${err.stdout ?? ""}${err.stderr ?? ""}`,
                    /App\.java:\[\d+,\d+\] incompatible types: .*Output<T> conforms to java\.lang\.String/,
                );
                return true;
            });
        } finally {
            fs.writeFileSync(app, source);
        }
    });
});
