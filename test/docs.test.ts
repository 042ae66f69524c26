import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
const DOCS = path.join(ROOT, "docs");
const SNIPPETS = path.join(ROOT, ".tmp", "snippets");

const pages = (): string[] => [
    "README.md",
    ...fs
        .readdirSync(DOCS)
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
];
const read = (page: string) => fs.readFileSync(path.join(ROOT, page), "utf8");

/** ```typescript blocks of a page. */
function typescriptBlocks(text: string): string[] {
    return [...text.matchAll(/```(?:typescript|ts)\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe("docs", () => {
    it("the README links every page in docs/", () => {
        const readme = read("README.md");
        for (const file of fs.readdirSync(DOCS).filter((f) => f.endsWith(".md"))) {
            assert.ok(readme.includes(`(docs/${file})`), `README does not link docs/${file}`);
        }
    });

    it("every relative link points to a file that exists", () => {
        for (const page of pages()) {
            for (const [, target] of read(page).matchAll(/\]\((?!https?:|#)([^)#\s]+)(?:#[^)]*)?\)/g)) {
                const resolved = path.resolve(path.dirname(path.join(ROOT, page)), target);
                assert.ok(fs.existsSync(resolved), `${page} links ${target}, which does not exist`);
            }
        }
    });

    it("every `npm run <script>` in the docs is a script of package.json", () => {
        const scripts = Object.keys(JSON.parse(read("package.json")).scripts as Record<string, string>);
        for (const page of pages()) {
            for (const [, script] of read(page).matchAll(/npm run (?:-s )?([a-z][\w:-]*)/g)) {
                assert.ok(scripts.includes(script), `${page} runs "npm run ${script}", which package.json does not define`);
            }
        }
    });

    it("every TypeScript snippet type-checks against the real package", function () {
        this.timeout(120_000);
        fs.rmSync(SNIPPETS, { recursive: true, force: true });
        fs.mkdirSync(SNIPPETS, { recursive: true });
        const files: string[] = [];
        for (const page of pages()) {
            typescriptBlocks(read(page)).forEach((code, i) => {
                const file = path.join(SNIPPETS, `${page.replace(/[/.]/g, "_")}_${i}.ts`);
                // Snippets import the package by name, as a user would; here that is the repository itself.
                const local = code.replace(/from "dify-plugin-registry\/components"/g, `from "../../components"`);
                fs.writeFileSync(file, `export {};\n${local}`);
                files.push(file);
            });
        }
        assert.ok(files.length >= 3, `expected snippets, found ${files.length}`);
        const program = ts.createProgram(files, {
            strict: true,
            noEmit: true,
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.CommonJS,
            moduleResolution: ts.ModuleResolutionKind.Node10,
            esModuleInterop: true,
            resolveJsonModule: true,
            skipLibCheck: true,
            types: ["node"],
        });
        const diagnostics = ts
            .getPreEmitDiagnostics(program)
            .map((d) => `${d.file ? path.relative(ROOT, d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
        assert.deepEqual(diagnostics, []);
    });
});
