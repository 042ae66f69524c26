/**
 * The package as users get it: `npm pack` of this repository, then a fresh project in a temporary directory holding
 * only that tarball and the peers a user installs (at the versions this repository locks, so npm's cache serves them),
 * and the user programs of `test/shipped/fixture/` compiled by `tsc --strict` as CommonJS (with `pulumi new typescript`'s
 * `moduleResolution: node`, which ignores `exports`: `typesVersions` serves it) and as ESM. Built once per
 * test process; nothing in it imports the repository's sources.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(ROOT, "test", "shipped", "fixture");
const run = promisify(execFile);

/** The peers a user installs beside the package: every kind's SDK, and TypeScript to compile their program. */
export const PEERS = [
    "@pulumi/pulumi",
    "@pulumi/kubernetes",
    "@pulumi/aws",
    "@pulumi/azure-native",
    "@pulumi/azuread",
    "@pulumi/alicloud",
    "tencentcloud-sdk-nodejs",
    "typescript",
    "@types/node",
] as const;

/** The registry kinds, one user program each in `fixture/src/` (docker also with `mirrorImages`). */
export const KIND_PROGRAMS = ["docker", "dockerhub", "ecr", "acr", "aliyun", "tcr"] as const;

export interface ShippedProject {
    /** The user's project: `node_modules`, `package.json`, `cjs/` and `esm/`. */
    readonly dir: string;
    readonly tarball: string;
    /** A compiled program: `<dir>/<cjs|esm>/bin/<name>.js`. */
    program(module: "cjs" | "esm", name: string): string;
}

/** The version of `name` this repository's lock file installs. */
export function lockedVersion(name: string): string {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    const version = lock.packages[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`${name} is not in package-lock.json`);
    return version;
}

/** The environment for npm and node children: without what `npm run`/`npm test` set for this repository. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== "INIT_CWD"));
    return { ...env, ...extra };
}

export async function npm(args: readonly string[], cwd: string): Promise<string> {
    try {
        const { stdout } = await run("npm", [...args], { cwd, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 });
        return stdout;
    } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`npm ${args.join(" ")} (in ${cwd}) failed:\n${e.stderr ?? ""}\n${e.stdout ?? ""}`);
    }
}

/** `npm pack` of the repository into `dir` (runs the package's own build, as `npm publish` would). */
export async function packRepository(dir: string): Promise<string> {
    const out = JSON.parse(await npm(["pack", "--json", "--pack-destination", dir], ROOT)) as { filename: string }[];
    return path.join(dir, out[0].filename);
}

/**
 * Writes the user's two programs' folders (CommonJS and ESM) into `dir` — every kind's program and the README's example
 * (`readme.ts`) — and compiles both with `tsc --strict`.
 */
export async function writeAndCompilePrograms(dir: string): Promise<void> {
    const extraPrograms = { readme: readmeExample() };
    for (const module of ["cjs", "esm"] as const) {
        const src = path.join(dir, module, "src");
        fs.mkdirSync(src, { recursive: true });
        for (const file of fs.readdirSync(path.join(FIXTURE, "src")))
            fs.copyFileSync(path.join(FIXTURE, "src", file), path.join(src, file));
        for (const [name, text] of Object.entries(extraPrograms)) fs.writeFileSync(path.join(src, `${name}.ts`), text);
        // `pulumi new typescript`'s tsconfig (no skipLibCheck, no esModuleInterop); ESM with nodenext resolution.
        const compilerOptions =
            module === "cjs"
                ? { module: "commonjs", moduleResolution: "node", target: "es2020", experimentalDecorators: true, sourceMap: true }
                : { module: "nodenext", moduleResolution: "nodenext", target: "es2022" };
        const common = { strict: true, noFallthroughCasesInSwitch: true, noImplicitReturns: true, forceConsistentCasingInFileNames: true };
        fs.writeFileSync(
            path.join(dir, module, "tsconfig.json"),
            JSON.stringify({ compilerOptions: { ...compilerOptions, ...common, outDir: "bin", rootDir: "src" }, include: ["src"] }),
        );
        if (module === "esm") fs.writeFileSync(path.join(dir, module, "package.json"), JSON.stringify({ type: "module" }));
        const tsc = path.join(dir, "node_modules", "typescript", "bin", "tsc");
        try {
            await run(process.execPath, [tsc, "-p", path.join(dir, module)], { cwd: dir, env: cleanEnv() });
        } catch (err) {
            const e = err as { stdout?: string; stderr?: string };
            throw new Error(`tsc (${module}) failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
        }
    }
    for (const file of ["runMocked.cjs", "runProvider.cjs"]) fs.copyFileSync(path.join(FIXTURE, file), path.join(dir, file));
}

/** A fresh user project with the package installed from `spec` (a tarball path or a `git+file://` URL) and the peers. */
export async function userProject(spec: string): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-shipped-"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "user-project", version: "1.0.0", private: true }));
    await npm(["install", "--prefer-offline", "--no-audit", "--no-fund", spec, ...PEERS.map((p) => `${p}@${lockedVersion(p)}`)], dir);
    await writeAndCompilePrograms(dir);
    return dir;
}

let shared: Promise<ShippedProject> | undefined;

/** The project installed from the packed tarball, built once per test process. */
export function shippedProject(): Promise<ShippedProject> {
    shared ??= (async () => {
        const packDir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-pack-"));
        const tarball = await packRepository(packDir);
        const dir = await userProject(tarball);
        return { dir, tarball, program: (module: "cjs" | "esm", name: string) => path.join(dir, module, "bin", `${name}.js`) };
    })();
    return shared;
}

/** What `runMocked.cjs` reports. */
export interface MockedRun {
    readonly resources: readonly { type: string; name: string; custom: boolean; provider?: string }[];
    readonly errors: readonly string[];
}

/** Runs a compiled program under the installed SDK's mocks, in its own process in the user's project. */
export async function runMocked(
    dir: string,
    program: string,
    module: "cjs" | "esm",
    config: Record<string, string> = {},
): Promise<MockedRun> {
    // The SDK reads stack config from these two variables, as the language host sets them.
    const env = cleanEnv({ PULUMI_CONFIG: JSON.stringify(config), PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(Object.keys(config)) });
    let stdout: string;
    let failure: string | undefined;
    try {
        ({ stdout } = await run(process.execPath, ["runMocked.cjs", program, module], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }));
    } catch (err) {
        // A failed registration also fails the process (the SDK's exit code): keep what it reported, and why it exited.
        const e = err as { stdout?: string; stderr?: string; code?: number };
        stdout = e.stdout ?? "";
        failure = `exit ${e.code}: ${e.stderr ?? ""}`;
    }
    const last = stdout.trim().split("\n").pop();
    const report = (last ? JSON.parse(last) : { resources: [], errors: [] }) as MockedRun;
    return failure === undefined ? report : { ...report, errors: [...report.errors, failure] };
}

/** Runs one operation of a serialized dynamic provider in a separate process in the user's project (`runProvider.cjs`). */
export function runSerializedProvider(
    dir: string,
    provider: string,
    op: string,
    args: readonly unknown[],
    env: Record<string, string> = {},
): Promise<{ result?: any; error?: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["runProvider.cjs"], { cwd: dir, env: cleanEnv(env), stdio: ["pipe", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => {
            out += d;
        });
        child.stderr.on("data", (d) => {
            err += d;
        });
        child.on("error", reject);
        child.on("close", (code) => {
            const last = out.trim().split("\n").pop();
            if (!last) return reject(new Error(`runProvider exited ${code} without an answer:\n${err}`));
            resolve(JSON.parse(last));
        });
        child.stdin.end(JSON.stringify({ provider, op, args }));
    });
}

/** The README's "Using the component in your own program" example, as written there. */
export function readmeExample(): string {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Using the component in your own program"));
    const match = /```typescript\n([\s\S]*?)```/.exec(section);
    if (!match) throw new Error("README: no typescript block under 'Using the component in your own program'");
    return match[1];
}
