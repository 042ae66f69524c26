/**
 * This package for programs in other languages, the way the engine and the SDK generator see it: the provider as an
 * ambient plugin (`pulumi-resource-dify-plugin-registry` on PATH), its schema as the CLI reads it from that plugin
 * (`pulumi package get-schema`), and the Python and Go SDKs generated from that schema by `pulumi-sdkgen` (pkg/v3's
 * generators, built by `scripts/engine-tools.sh --with sdkgen`: the language hosts built here cannot generate SDKs).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { engineToolsBinDir } from "./apiServer";
import { pulumiBinary } from "./pulumiEngine";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
export const PLUGIN_EXECUTABLE = "pulumi-resource-dify-plugin-registry";
export const SDKGEN_HINT = "run: scripts/engine-tools.sh --with python,yaml,sdkgen";

/** The virtualenv `scripts/engine-tools.sh --with python` makes: `pulumi` from PyPI at the CLI's version. */
export function pythonVenv(): string {
    return path.join(path.dirname(engineToolsBinDir()), "python-venv");
}

/** True when the SDK generator, the Python and YAML hosts and the virtualenv are built. */
export function languageToolsAvailable(): boolean {
    const bin = engineToolsBinDir();
    return (
        ["pulumi-sdkgen", "pulumi-language-python", "pulumi-language-yaml"].every((b) => fs.existsSync(path.join(bin, b))) &&
        fs.existsSync(path.join(pythonVenv(), "bin", "python"))
    );
}

/** The directory of the provider's launcher `bin/pulumi-resource-dify-plugin-registry`, to put on PATH as users do. */
export function pluginBinDir(): string {
    const launcher = path.join(ROOT, "bin", PLUGIN_EXECUTABLE);
    if (!fs.existsSync(launcher)) throw new Error(`no provider launcher at ${launcher}`);
    return path.dirname(launcher);
}

/** The schema the provider serves, read by the CLI from the launcher (`pulumi package get-schema <executable>`). */
export async function servedSchema(binDir: string, workDir: string): Promise<string> {
    const pulumi = pulumiBinary();
    if (!pulumi) throw new Error("no pulumi CLI");
    const home = fs.mkdtempSync(path.join(workDir, "schema-home-"));
    const { stdout } = await run(pulumi, ["package", "get-schema", path.join(binDir, PLUGIN_EXECUTABLE)], {
        cwd: home, // an empty folder: in a project folder the CLI would load that project first
        env: { ...process.env, PULUMI_HOME: home, PULUMI_SKIP_UPDATE_CHECK: "true" },
        maxBuffer: 64 * 1024 * 1024,
    });
    JSON.parse(stdout);
    return stdout;
}

/** `pulumi-sdkgen --language <language> --out <out>` of the schema; returns `out`. */
export async function generateSdk(language: "python" | "go", schemaJson: string, out: string): Promise<string> {
    const schemaFile = path.join(path.dirname(out), `schema-${language}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(schemaFile, schemaJson);
    await run(path.join(engineToolsBinDir(), "pulumi-sdkgen"), ["--language", language, "--out", out, schemaFile]);
    return out;
}

/**
 * Installs the generated Python SDK into the cached virtualenv as users install it (`pip install <sdk dir>`), replacing
 * whatever an earlier run installed; its requirements (`pulumi`, `parver`, `semver`) are there already (engine-tools).
 */
export async function installPythonSdk(sdkDir: string): Promise<void> {
    await run(
        path.join(pythonVenv(), "bin", "pip"),
        ["install", "--quiet", "--disable-pip-version-check", "--no-build-isolation", "--force-reinstall", "--no-deps", sdkDir],
        { maxBuffer: 16 * 1024 * 1024 },
    );
}
