import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const OUT = path.join(ROOT, ".tmp", "dist");

describe("package", () => {
    it("declares the Pulumi SDKs as peer dependencies, never as dependencies (one copy per program)", () => {
        for (const sdk of [
            "@pulumi/pulumi",
            "@pulumi/kubernetes",
            "@pulumi/aws",
            "@pulumi/azure-native",
            "@pulumi/azuread",
            "@pulumi/alicloud",
        ]) {
            assert.ok(pkg.peerDependencies[sdk], `${sdk} is a peer dependency`);
            assert.equal(pkg.dependencies?.[sdk], undefined, `${sdk} must not be a dependency`);
        }
        for (const optional of ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/azuread", "@pulumi/alicloud", "tencentcloud-sdk-nodejs"]) {
            assert.equal(pkg.peerDependenciesMeta[optional]?.optional, true, `${optional} is optional`);
        }
        assert.equal(pkg.peerDependenciesMeta["@pulumi/pulumi"], undefined, "@pulumi/pulumi is required");
    });

    it("builds, and types/exports point at the built library, which loads and exports the component", function () {
        this.timeout(180_000);
        fs.rmSync(OUT, { recursive: true, force: true });
        const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
        const build = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", OUT], { cwd: ROOT, encoding: "utf8" });
        assert.equal(build.status, 0, build.stdout + build.stderr);
        const built = (p: string) => path.join(OUT, p.replace(/^\.?\/?dist\//, ""));
        for (const target of [
            "dist/provider/main.js",
            pkg.types,
            pkg.exports["."].default,
            pkg.exports["."].types,
            pkg.exports["./components"].default,
        ]) {
            assert.ok(fs.existsSync(built(target)), `${target} is produced by the build`);
        }
        for (const p of [pkg.main, pkg.types]) {
            assert.ok(
                pkg.files.some((f: string) => p.startsWith(f)),
                `${p} is inside "files"`,
            );
        }
        // The compiled library, as a consumer would load it.
        const lib = require(built(pkg.exports["."].default)) as Record<string, unknown>;
        assert.equal(typeof lib.DifyPluginRegistry, "function");
        assert.equal(typeof lib.defaultsForChartVersion, "function");
        assert.ok(fs.readFileSync(built(pkg.types), "utf8").includes("DifyPluginRegistry"));
        // The provider as the tarball runs it (provider/entry.js falls back to dist/provider/main.js).
        const provider = require(built("dist/provider/main.js")) as typeof import("../provider/main");
        assert.equal(typeof provider.serve, "function");
        assert.equal(JSON.parse(provider.pluginRegistryProvider().schema!).name, "dify-plugin-registry");
    });

    it("\"main\" is the component provider's entry (what Pulumi's run-plugin requires), shipped with PulumiPlugin.yaml and its build", () => {
        assert.equal(pkg.main, "provider/entry.js");
        for (const f of ["provider/entry.js", "PulumiPlugin.yaml", "dist/provider"]) {
            assert.ok(pkg.files.includes(f), `${f} is in "files"`);
        }
        assert.match(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8"), /^runtime: nodejs$/m);
        // Node resolves the package name through "exports": consumers get the library, not the provider.
        assert.equal(pkg.exports["."].default, "./dist/components/index.js");
    });

    it("ships the docs and the changelog, and declares a Node engine", () => {
        for (const f of ["README.md", "CHANGELOG.md", "docs"]) {
            assert.ok(pkg.files.includes(f), `${f} is in "files"`);
            assert.ok(fs.existsSync(path.join(ROOT, f)), `${f} exists`);
        }
        assert.match(pkg.engines.node, /^>=\s*20/);
    });
});
