/**
 * The examples README shows are the files the engine tests run, not copies kept by hand: every fenced block README
 * introduces with `<!-- example file: <path> -->` is that file's text exactly, and every example program of another
 * language the engine tests run (test/engine/languages.engine.test.ts, goSdk.engine.test.ts, javaSdk.engine.test.ts) is shown.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
/** The programs the engine tests run, which README must show. */
const RUN_BY_ENGINE_TESTS = [
    "examples/python/__main__.py",
    "examples/yaml/Pulumi.yaml",
    "examples/go/main.go",
    "examples/java/src/main/java/difyplugins/App.java",
];

/** `<!-- example file: PATH -->` then a fenced block: PATH → the block's text. */
function exampleBlocks(markdown: string): Map<string, string> {
    const blocks = new Map<string, string>();
    for (const m of markdown.matchAll(/^<!-- example file: (\S+) -->\n```[a-z]*\n([\s\S]*?)^```$/gm)) {
        assert.ok(!blocks.has(m[1]), `README shows ${m[1]} twice`);
        blocks.set(m[1], m[2]);
    }
    return blocks;
}

describe("README's examples in other languages are the example files", () => {
    const blocks = exampleBlocks(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"));

    it("shows every example program the engine tests run", () => {
        assert.deepEqual([...blocks.keys()].sort(), [...RUN_BY_ENGINE_TESTS].sort());
    });

    for (const file of RUN_BY_ENGINE_TESTS) {
        it(`the block for ${file} is the file, exactly`, () => {
            assert.equal(blocks.get(file), fs.readFileSync(path.join(ROOT, file), "utf8"));
        });
    }

    it("a block that differs from its file by one character is caught (the reader works)", () => {
        const file = RUN_BY_ENGINE_TESTS[0];
        const text = fs.readFileSync(path.join(ROOT, file), "utf8");
        const changed = exampleBlocks(`<!-- example file: ${file} -->\n\`\`\`python\n${text.replace("dify", "difx")}\`\`\`\n`);
        assert.notEqual(changed.get(file), text);
        assert.equal(exampleBlocks(`<!-- example file: ${file} -->\n\`\`\`python\n${text}\`\`\`\n`).get(file), text);
    });
});
