// The layout's promises (docs/architecture.md, "The layout"; each folder's README): what each folder may import, and
// that the Pulumi resources' serialized providers reach engines only through the entries package.json exports.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

function tsFiles(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.posix.join(dir, e.name);
        return e.isDirectory() ? tsFiles(rel) : e.name.endsWith(".ts") ? [rel] : [];
    });
}

/** Every module specifier a file imports, re-exports or requires. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"|\b(?:require|import)\(\s*"([^"]+)"\s*\)/g)];
    return specs.map((m) => m[1] ?? m[2]);
}

/** A relative specifier as a repository path (`engines/oci`), else the specifier itself. */
function target(file: string, spec: string): string {
    return spec.startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)) : spec;
}

const ENGINES = fs
    .readdirSync(path.join(ROOT, "engines"), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
const ENGINE_PEERS: Readonly<Record<string, readonly string[]>> = {
    oci: [],
    pushCheck: ["oci"],
    chartMirror: ["oci"],
    difyChart: [],
    tcr: [],
};

describe("layout", () => {
    it("every folder of concern has a README saying what it owns and may import", () => {
        for (const dir of [
            "engines",
            ...ENGINES.map((e) => `engines/${e}`),
            "components",
            "components/registries",
            "components/resources",
            "components/values",
            "cli",
            "provider",
            "program",
        ]) {
            assert.ok(fs.existsSync(path.join(ROOT, dir, "README.md")), `${dir}/README.md`);
        }
        assert.deepEqual(
            [...ENGINES].sort(),
            Object.keys(ENGINE_PEERS).sort(),
            "a new engine needs its line in ENGINE_PEERS and engines/README.md",
        );
    });

    it("engines import no Pulumi and nothing outside engines/, and only the engines their README names", () => {
        for (const engine of ENGINES) {
            for (const file of tsFiles(`engines/${engine}`)) {
                for (const spec of importsOf(file)) {
                    assert.ok(!spec.startsWith("@pulumi/"), `${file} imports ${spec}`);
                    const to = target(file, spec);
                    if (!spec.startsWith(".")) continue;
                    assert.ok(to.startsWith("engines/"), `${file} imports ${spec}, outside engines/`);
                    const other = to.split("/")[1];
                    assert.ok(other === engine || ENGINE_PEERS[engine].includes(other), `${file} imports engine ${other}`);
                }
            }
        }
    });

    it("Pulumi resources' providers reach engines only through their public entries, and package.json exports each", () => {
        const providers = tsFiles("components/resources").filter((f) => f.endsWith("/provider.ts"));
        assert.ok(providers.length >= 3, "push check, image mirror and TCR providers");
        for (const file of providers) {
            for (const spec of importsOf(file)) {
                const to = target(file, spec);
                if (spec.startsWith(".") && to.startsWith("engines/")) {
                    assert.match(to, /^engines\/[^/]+$/, `${file} imports ${spec}: not an engine's public entry`);
                }
                // Anything else it references is serialized by value, or must be a package the program has.
                if (spec.startsWith(".")) assert.ok(to.startsWith("engines/"), `${file} imports ${spec}`);
            }
        }
        for (const engine of ENGINES) {
            const entry = pkg.exports[`./engines/${engine}`];
            assert.deepEqual(entry, { types: `./dist/engines/${engine}/index.d.ts`, default: `./dist/engines/${engine}/index.js` });
            assert.ok(fs.existsSync(path.join(ROOT, "engines", engine, "index.ts")), `engines/${engine}/index.ts`);
        }
        assert.ok(pkg.files.includes("dist/engines"));
    });

    it("the CLI imports engines only (no Pulumi); the component never the CLI, the provider or the stack program", () => {
        for (const file of tsFiles("cli")) {
            for (const spec of importsOf(file)) {
                assert.ok(!spec.startsWith("@pulumi/"), `${file} imports ${spec}`);
                const to = target(file, spec);
                if (spec.startsWith(".")) assert.ok(to.startsWith("cli/") || to.startsWith("engines/"), `${file} imports ${spec}`);
            }
        }
        for (const file of tsFiles("components")) {
            for (const spec of importsOf(file)) {
                const to = target(file, spec);
                assert.ok(!/^(cli|provider|program)\//.test(to), `${file} imports ${spec}`);
            }
        }
    });
});
