// The installed package's other faces: the CLI (`npx dify-plugin-registry`), the component provider started from
// node_modules the way the language host runs a PulumiPlugin.yaml package (`@pulumi/pulumi/cmd/run-plugin <package>`),
// what `npm publish` would ship, and the same user program with the package installed from git.
import * as assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { type CheckRegistries, dockerConfig, LOGINS, startCheckRegistries } from "../support/checkRegistries";
import { Crud, isSecret, urnOf } from "../support/providerCrud";
import { FakeEngine, ProviderProcess, secretValue } from "../support/providerHarness";
import { INSTALL_HINT, type RunningRegistry, registryAvailable, startRegistry } from "../support/registry";
import {
    cleanEnv,
    npm,
    runMocked,
    runSerializedProvider,
    type ShippedProject,
    shippedProject,
    userProject,
} from "../support/shippedProject";
import { multiLayerImage, pushLayout, skopeoDigest } from "../support/testImages";

const ROOT = path.resolve(__dirname, "..", "..");
const pkgName = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).name as string;
const run = promisify(execFile);

/** `npx dify-plugin-registry …` in the user's project; never throws, returns the exit code and output. */
async function npx(dir: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await run("npx", ["--no-install", "dify-plugin-registry", ...args], { cwd: dir, env: cleanEnv() });
        return { code: 0, stdout, stderr };
    } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

describe("shipped: the installed package's CLI, provider and files", function () {
    this.timeout(600_000);
    let project: ShippedProject;

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        project = await shippedProject();
    });

    describe("npx dify-plugin-registry", () => {
        let fx: CheckRegistries;
        let work: string;
        before(async () => {
            fx = await startCheckRegistries();
            work = fs.mkdtempSync(path.join(os.tmpdir(), "shipped-cli-"));
        });
        after(() => {
            fx?.stop();
            fs.rmSync(work, { recursive: true, force: true });
        });

        it("check: the right login passes (exit 0); a wrong password fails at the login step (exit 1)", async () => {
            const auth = path.join(work, "auth.json");
            fs.writeFileSync(auth, JSON.stringify(dockerConfig(fx.basic.host, LOGINS.basic)));
            const prefix = `${fx.basic.host}/dify/plugins`;
            const ok = await npx(project.dir, ["check", "--prefix", prefix, "--auth-file", auth, "--ca-file", fx.basic.caFile!]);
            assert.equal(ok.code, 0, ok.stdout + ok.stderr);
            assert.match(ok.stdout + ok.stderr, /ok\s+push/);
            fs.writeFileSync(auth, JSON.stringify(dockerConfig(fx.basic.host, { ...LOGINS.basic, password: "wrong-Sentinel" })));
            const bad = await npx(project.dir, ["check", "--prefix", prefix, "--auth-file", auth, "--ca-file", fx.basic.caFile!]);
            assert.equal(bad.code, 1);
            assert.match(bad.stdout + bad.stderr, /failed at step "login"/);
        });

        it("mirror: copies one image between loopback registries with its digest preserved", async () => {
            let source: RunningRegistry | undefined;
            let target: RunningRegistry | undefined;
            try {
                [source, target] = await Promise.all([startRegistry(), startRegistry()]);
                const digest = await multiLayerImage(path.join(work, "image"), "v1", "shipped-cli", [120_000]);
                await pushLayout(path.join(work, "image"), "v1", source, "upstream/cli");
                const result = await npx(project.dir, [
                    "mirror",
                    "--to",
                    `${target.host}/mirror`,
                    "--image",
                    `${source.host}/upstream/cli:v1`,
                    "--insecure",
                    source.host,
                    "--insecure",
                    target.host,
                ]);
                assert.equal(result.code, 0, result.stdout + result.stderr);
                const copied = `${target.host}/mirror/upstream/cli:v1`;
                assert.equal(await skopeoDigest(copied, target), digest);
            } finally {
                await Promise.all([source?.stop(), target?.stop()]);
            }
        });
    });

    it("the component provider, started from node_modules as run-plugin starts it: GetSchema and one Construct", async () => {
        const engine = new FakeEngine();
        await engine.start();
        const pkg = path.join(project.dir, "node_modules", "dify-plugin-registry");
        const runPlugin = path.join(project.dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin");
        const provider = await ProviderProcess.startCommand(process.execPath, [runPlugin, pkg, engine.address], pkg);
        try {
            const schema = await provider.schema();
            assert.equal(schema.name, "dify-plugin-registry");
            assert.ok(schema.resources["dify-plugin-registry:index:PluginRegistry"].isComponent);
            await provider.construct(engine, "dify-plugin-registry:index:PluginRegistry", "dify", {
                namespace: "dify",
                docker: {
                    server: "harbor.example.com",
                    prefix: "dify/plugins",
                    username: "robot$dify",
                    password: secretValue("s3cret-robot"),
                },
                chart: { version: "3.9.1" },
            });
            const types = engine.children().map((r) => `${r.type} ${r.name}`);
            assert.ok(types.includes("kubernetes:core/v1:Secret dify-image-repo-secret"), types.join(", "));
            assert.ok(types.includes("kubernetes:helm.sh/v4:Chart dify-dify"), types.join(", "));
            // Built from dist/, not from sources the tarball does not have.
            assert.ok(!fs.existsSync(path.join(pkg, "provider", "main.ts")));
        } finally {
            provider.stop();
            engine.stop();
        }
    });

    it("the plugin launcher npm links (.bin/pulumi-resource-dify-plugin-registry) serves the schema and runs the push check as the package's resource", async () => {
        const engine = new FakeEngine();
        await engine.start();
        const launcher = path.join(project.dir, "node_modules", ".bin", "pulumi-resource-dify-plugin-registry");
        const registry = await startRegistry({ tls: true, auth: LOGINS.basic });
        const provider = await ProviderProcess.startCommand(launcher, [engine.address], project.dir);
        try {
            const schema = await provider.schema();
            assert.deepEqual(Object.keys(schema.resources), [
                "dify-plugin-registry:index:PluginRegistry",
                "dify-plugin-registry:index:RegistryPushCheck",
                "dify-plugin-registry:index:ImageMirror",
                "dify-plugin-registry:index:TcrNamespace",
                "dify-plugin-registry:index:TcrInstanceToken",
            ]);
            const { outs } = await new Crud(provider).create(urnOf("dify-plugin-registry:index:RegistryPushCheck", "dify-push-check"), {
                prefix: `${registry.host}/dify/plugins`,
                auth: secretValue(JSON.stringify(dockerConfig(registry.host, LOGINS.basic))),
                caFile: registry.caFile,
            });
            assert.ok(isSecret(outs.loginHash) && outs.steps.length > 0, JSON.stringify(outs));
        } finally {
            provider.stop();
            engine.stop();
            await registry.stop();
        }
    });

    it("npm publish --dry-run ships the build, the provider entry, the docs and nothing else", async () => {
        const listed = JSON.parse(await npm(["pack", "--dry-run", "--json", "--ignore-scripts"], ROOT))[0].files.map(
            (f: { path: string }) => f.path,
        );
        const tops = [
            ...new Set(listed.map((f: string) => (f.startsWith("dist/") ? f.split("/").slice(0, 2).join("/") : f.split("/")[0]))),
        ].sort();
        assert.deepEqual(tops, [
            "CHANGELOG.md",
            "PulumiPlugin.yaml",
            "README.md",
            "bin",
            "dist/cli",
            "dist/components",
            "dist/engines",
            "dist/provider",
            "docs",
            "package.json",
            "provider",
        ]);
        assert.deepEqual(listed.filter((f: string) => f.startsWith("provider/")).sort(), ["provider/README.md", "provider/entry.js"]);
        assert.ok(!listed.some((f: string) => /\.test\.|(^|\/)test\/|\.ts$/.test(f) && !f.endsWith(".d.ts")), "no tests or sources");
        // And what publishing would say, with no registry contacted (dry run).
        const dry = JSON.parse(await npm(["publish", "--dry-run", "--ignore-scripts", "--json"], ROOT));
        // npm 11 keys the report by package name; older npms print it bare.
        const report = (dry.files ? dry : dry[pkgName]) as { files: { path: string }[] };
        assert.deepEqual(report.files.map((f) => f.path).sort(), [...listed].sort());
    });

    it("installed from git (git+file://): the package builds itself on install, and the user's program registers", async () => {
        // A repository holding the working tree as it is now (what a push would publish), so uncommitted work is tested too.
        const repo = fs.mkdtempSync(path.join(os.tmpdir(), "dify-git-"));
        const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
            .split("\n")
            .filter(Boolean);
        for (const f of files) {
            if (!fs.existsSync(path.join(ROOT, f))) continue;
            fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
            fs.copyFileSync(path.join(ROOT, f), path.join(repo, f));
        }
        const git = (...args: string[]) =>
            execFileSync("git", args, {
                cwd: repo,
                env: cleanEnv({ GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" }),
            });
        git("init", "-q", "-b", "main");
        git("add", "-A");
        git("commit", "-qm", "snapshot");
        const dir = await userProject(`git+file://${repo}`);
        const installed = path.join(dir, "node_modules", "dify-plugin-registry");
        assert.ok(fs.existsSync(path.join(installed, "dist", "engines", "pushCheck", "index.js")), "built on install");
        const result = await runMocked(dir, path.join(dir, "cjs", "bin", "docker.js"), "cjs");
        assert.deepEqual(result.errors, []);
        const check = result.resources.find((r) => r.name === "dify-push-check");
        assert.match(check?.provider ?? "", /require\("dify-plugin-registry\/engines\/pushCheck"\)/);
        assert.ok(result.resources.some((r) => r.type === "kubernetes:helm.sh/v4:Chart"));
        // The serialized check runs from that project too (no registry: it fails at the first step, by name).
        const { error } = await runSerializedProvider(dir, check!.provider!, "create", [
            { prefix: "127.0.0.1:9/dify/plugins", settleMs: 0 },
        ]);
        assert.match(error ?? "", /registry push check of 127\.0\.0\.1:9\/dify\/plugins failed at step "registry"/);
        fs.rmSync(repo, { recursive: true, force: true });
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
