/**
 * Issue 20, item 6: the README's quick start, run from the README (its first ```bash block), so the page and this test
 * cannot drift. Every command runs as written but those that need the network or would run this suite again (named
 * below, and no others); the `apt-get` lines run twice with stand-ins for `apt-get` and `sudo`: as root on a machine
 * without sudo, and as a user with it.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

/** Lines left out, each with why; any other line of the block runs. */
const NOT_RUN: ReadonlyArray<readonly [RegExp, string]> = [
    [/^npm ci\b/, "installs from the npm registry (this test runs inside an installed clone)"],
    [/--check-targets/, "asks the mirror's registry"],
    [/^npm run check -- /, "asks the plugin registry"],
    [/^npm test$/, "this suite"],
];

/** The quick start's commands: the first bash block after "## Quick start", one command per line. */
function quickStart(): string[] {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Quick start"));
    const block = /```bash\n([\s\S]*?)```/.exec(section);
    assert.ok(block, "README's quick start has no bash block");
    return block[1].split("\n").filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"));
}

/** A user's shell: none of this npm run's settings. */
const userEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|INIT_CWD$)/i.test(k))),
    ...extra,
});

const bash = (script: string, env: NodeJS.ProcessEnv) =>
    spawnSync("/bin/bash", ["-c", `set -euo pipefail\n${script}`], { cwd: ROOT, env, encoding: "utf8", timeout: 240_000 });

describe("README quick start, as written", function () {
    this.timeout(600_000);
    const lines = quickStart();
    const aptLines = lines.filter((l) => /\bapt-get\b/.test(l));
    const runnable = lines.filter((l) => !aptLines.includes(l) && !NOT_RUN.some(([pattern]) => pattern.test(l)));

    it("leaves out only the commands named, each for its reason", () => {
        const left = lines.filter((l) => NOT_RUN.some(([pattern]) => pattern.test(l)));
        assert.equal(left.length, NOT_RUN.length, `left out: ${left.join(" | ")}`);
        assert.ok(runnable.length >= 3, runnable.join("\n"));
    });

    for (const [i, line] of quickStart().entries()) {
        if (/\bapt-get\b/.test(line) || NOT_RUN.some(([pattern]) => pattern.test(line))) continue;
        it(`runs: ${line.replace(/\s+#.*$/, "")}`, () => {
            const result = bash(line, userEnv());
            assert.equal(result.status, 0, `line ${i + 1} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
            assert.ok(!/\bat .*\.(ts|js):\d+/.test(result.stderr), `a stack trace:\n${result.stderr}`);
        });
    }

    describe("the apt-get lines", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "quickstart-"));
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));

        /** Runs the apt-get lines with only stand-ins on PATH; returns the calls they recorded. */
        const runApt = (withSudo: boolean): string[] => {
            const bin = fs.mkdtempSync(path.join(tmp, "bin-"));
            const log = path.join(bin, "calls.log");
            const stub = (name: string, body: string) =>
                fs.writeFileSync(path.join(bin, name), `#!/bin/bash\necho "${name} $*" >> ${log}\n${body}\n`, { mode: 0o755 });
            stub("apt-get", "exit 0");
            if (withSudo) stub("sudo", 'exec "$@"');
            const result = bash(aptLines.join("\n"), { PATH: bin, HOME: tmp });
            assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
            return fs.readFileSync(log, "utf8").trim().split("\n");
        };

        it("there are two: update, then install of the live tests' packages", () => {
            assert.equal(aptLines.length, 2, aptLines.join("\n"));
        });

        it("as root on a machine without sudo: apt-get runs directly", () => {
            assert.deepEqual(runApt(false), ["apt-get update", "apt-get install -y docker-registry skopeo apache2-utils openssl"]);
        });

        it("as a user with sudo: through sudo", () => {
            assert.deepEqual(runApt(true), [
                "sudo apt-get update",
                "apt-get update",
                "sudo apt-get install -y docker-registry skopeo apache2-utils openssl",
                "apt-get install -y docker-registry skopeo apache2-utils openssl",
            ]);
        });
    });
});
