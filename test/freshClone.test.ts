/**
 * Issue 20, item 1: the repository carries its own test fixtures. A clone in a fresh temporary directory — where no
 * `../shared` sits beside it, as on a new user's machine — runs every unit and contract test that reads a fixture
 * green, and no tracked file reads `../shared`.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const SELF = path.relative(ROOT, __filename);

const run = (cmd: string, args: string[], cwd: string) =>
    spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 600_000, env: { ...process.env, FORCE_COLOR: "0" } });

describe("a fresh clone without ../shared", function () {
    this.timeout(900_000);
    let clone: string;

    before(function () {
        if (!fs.existsSync(path.join(ROOT, ".git"))) this.skip(); // an installed package, not a checkout
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fresh-clone-"));
        clone = path.join(dir, "dify-plugin-registry");
        const cloned = run("git", ["clone", "--quiet", "--no-hardlinks", ROOT, clone], dir);
        assert.equal(cloned.status, 0, cloned.stderr);
        assert.ok(!fs.existsSync(path.join(dir, "shared")));
        // The packages as `npm ci` installs them; a second install would only repeat the lockfile.
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(clone, "node_modules"));
    });

    after(() => {
        if (clone !== undefined) fs.rmSync(path.dirname(clone), { recursive: true, force: true });
    });

    it("no tracked file reads ../shared", () => {
        const found = run("git", ["grep", "-n", "-E", String.raw`\.\./shared|"\.\.", "shared"`, "--", ".", `:!${SELF}`], clone);
        assert.equal(found.stdout, "", "tracked files that read ../shared");
    });

    it("the unit and contract tests that read fixtures pass there", () => {
        const readers = fs
            .readdirSync(path.join(clone, "test"))
            .filter((f) => f.endsWith(".test.ts") && f !== path.basename(SELF))
            .filter((f) => /fixtures|support\/chartValues|FIXTURES/.test(fs.readFileSync(path.join(clone, "test", f), "utf8")))
            .map((f) => `test/${f}`);
        assert.ok(readers.length >= 5, `fixture readers: ${readers.join(", ")}`);
        // Without the repository's .mocharc.json, whose spec would add every other test file to these.
        const mocha = run(
            process.execPath,
            [
                "node_modules/mocha/bin/mocha.js",
                "--no-config",
                "--node-option",
                "import=tsx",
                "--timeout",
                "60000",
                "--grep",
                "live:",
                "--invert",
                ...readers,
            ],
            clone,
        );
        const out = mocha.stdout + mocha.stderr;
        assert.equal(mocha.status, 0, out.slice(-4000));
        assert.match(out, /\d+ passing/);
        assert.doesNotMatch(out, /\d+ failing/);
        // Every reader ran: each file's first describe title is in the output.
        for (const file of readers) {
            const title = /describe\(\s*["'`]([^"'`]+)["'`]/.exec(fs.readFileSync(path.join(clone, file), "utf8"))?.[1];
            if (title !== undefined) assert.ok(out.includes(title), `${file} did not run`);
        }
    });
});
