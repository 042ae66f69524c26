// examples/python under a type checker (issue 19, items 2 and 4): mypy reads it against the Python SDK generated from
// the schema the provider serves, installed in the virtualenv the engine tests run Python programs with. The example
// type-checks; an Output where the schema says plain (`namespace`) and a string where it has an enum (`chart.kind`)
// do not — what the schema's `plain` and enums buy a Python user before `pulumi up`.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ENGINE_TOOLS_HINT } from "../support/apiServer";
import {
    generateSdk,
    installPythonSdk,
    languageToolsAvailable,
    pluginBinDir,
    pythonVenv,
    SDKGEN_HINT,
    servedSchema,
} from "../support/languageSdks";
import { pulumiBinary } from "../support/pulumiEngine";

const run = promisify(execFile);
const EXAMPLE = path.resolve(__dirname, "..", "..", "examples", "python", "__main__.py");

describe("engine: examples/python type-checks against the generated Python SDK (mypy)", () => {
    let dir: string;

    /** mypy of `source` (as __main__.py) with the virtualenv's packages; its exit code and output. */
    async function mypy(source: string): Promise<{ code: number; output: string }> {
        const file = path.join(dir, "__main__.py");
        fs.writeFileSync(file, source);
        const venv = pythonVenv();
        try {
            const { stdout } = await run(
                path.join(venv, "bin", "mypy"),
                ["--no-incremental", "--python-executable", path.join(venv, "bin", "python"), file],
                {
                    cwd: dir,
                },
            );
            return { code: 0, output: stdout };
        } catch (err) {
            const e = err as { code?: number; stdout?: string; stderr?: string };
            return { code: e.code ?? 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
        }
    }

    before(async () => {
        assert.ok(pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
        assert.ok(
            languageToolsAvailable() && fs.existsSync(path.join(pythonVenv(), "bin", "mypy")),
            `the SDK generator or the virtualenv (with mypy) is missing; ${SDKGEN_HINT}`,
        );
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-python-types-"));
        const schema = await servedSchema(pluginBinDir(), dir);
        await installPythonSdk(await generateSdk("python", schema, path.join(dir, "sdk", "python")));
    });
    after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

    it("the example has no type errors", async () => {
        const result = await mypy(fs.readFileSync(EXAMPLE, "utf8"));
        assert.equal(result.code, 0, result.output);
        assert.match(result.output, /^Success: no issues found in 1 source file/m);
    });

    it("an Output for namespace (plain in the schema) is a type error", async () => {
        const source = fs.readFileSync(EXAMPLE, "utf8");
        assert.ok(source.includes('    namespace="dify",\n'));
        const result = await mypy(source.replace('    namespace="dify",\n', '    namespace=pulumi.Output.from_input("dify"),\n'));
        assert.equal(result.code, 1, result.output);
        assert.match(result.output, /error: No overload variant of "PluginRegistry" matches argument types "str", "Output\[str\]"/);
    });

    it("a string for chart.kind (an enum in the schema) is a type error naming the enum", async () => {
        const source = fs.readFileSync(EXAMPLE, "utf8");
        assert.ok(source.includes("kind=dify.ChartKind.CHART,"));
        const result = await mypy(source.replace("kind=dify.ChartKind.CHART,", 'kind="chart",'));
        assert.equal(result.code, 1, result.output);
        assert.match(result.output, /error: Argument "kind" to "ChartArgs" has incompatible type "str"; expected "ChartKind \| None"/);
    });
});
