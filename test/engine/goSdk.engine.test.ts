// examples/go against the Go SDK generated from the schema the provider serves (issue 19, item 4): the CLI reads the
// schema from the provider's launcher, pkg/v3's Go generator writes the SDK where `pulumi package add` would
// (sdks/dify-dify-plugin-registry, go.mod's replace), and `go build` compiles the example as README shows it. The
// schema's `plain` arguments are plain Go values: an Output given for `namespace` does not compile.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ENGINE_TOOLS_HINT } from "../support/apiServer";
import { generateSdk, languageToolsAvailable, pluginBinDir, SDKGEN_HINT, servedSchema } from "../support/languageSdks";
import { pulumiBinary } from "../support/pulumiEngine";

const run = promisify(execFile);
const EXAMPLE = path.resolve(__dirname, "..", "..", "examples", "go");

describe("engine: examples/go builds against the generated Go SDK", () => {
    let dir: string;
    let project: string;

    /** `go build` in the project, with only its go.mod and go.sum (modules from the Go proxy, as users get them). */
    const goBuild = () =>
        run("go", ["build", "-o", path.join(dir, "dify-plugins-go"), "."], {
            cwd: project,
            env: { ...process.env, GOWORK: "off", GOFLAGS: "-mod=readonly -buildvcs=false" },
            maxBuffer: 16 * 1024 * 1024,
        });

    before(async () => {
        assert.ok(pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
        assert.ok(languageToolsAvailable(), `the SDK generator is missing; ${SDKGEN_HINT}`);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-go-sdk-"));
        project = path.join(dir, "project");
        fs.mkdirSync(project);
        for (const file of ["main.go", "go.mod", "go.sum", "Pulumi.yaml"]) {
            fs.copyFileSync(path.join(EXAMPLE, file), path.join(project, file));
        }
        const schema = await servedSchema(pluginBinDir(), dir);
        await generateSdk("go", schema, path.join(project, "sdks", "dify-dify-plugin-registry"));
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("the SDK is the module go.mod's replace names, with the package the schema's importBasePath states", () => {
        const sdk = path.join(project, "sdks", "dify-dify-plugin-registry");
        assert.match(fs.readFileSync(path.join(sdk, "go.mod"), "utf8"), /^module github\.com\/OWNER\/dify-plugin-registry\/sdk\/go$/m);
        assert.ok(fs.existsSync(path.join(sdk, "difypluginregistry", "pluginRegistry.go")));
    });

    it("go build compiles examples/go", async () => {
        await goBuild();
        assert.ok(fs.statSync(path.join(dir, "dify-plugins-go")).size > 0);
    });

    it("an Output where the schema says plain (namespace) does not compile", async () => {
        const main = path.join(project, "main.go");
        const source = fs.readFileSync(main, "utf8");
        assert.ok(source.includes('Namespace: pulumi.StringRef("dify"),'));
        fs.writeFileSync(main, source.replace('Namespace: pulumi.StringRef("dify"),', 'Namespace: pulumi.String("dify"),'));
        try {
            await assert.rejects(goBuild(), (err: { stderr?: string }) => {
                assert.match(err.stderr ?? "", /cannot use pulumi\.String\("dify"\).*as \*string value/);
                return true;
            });
        } finally {
            fs.writeFileSync(main, source);
        }
    });
});
