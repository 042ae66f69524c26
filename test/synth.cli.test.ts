// `npm run synth -- …` (scripts/synth.ts) as a child process: its usage, not the program (test/program.test.ts).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runProcess } from "./support/cli";

const ROOT = path.resolve(__dirname, "..");
const synth = (args: readonly string[], home: string) =>
    runProcess(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "synth.ts"), ...args], home);

describe("synth CLI: usage", function () {
    this.timeout(60_000);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "synth-cli-"));
    after(() => fs.rmSync(home, { recursive: true, force: true }));

    for (const flag of ["--help", "-h"]) {
        it(`${flag}: the usage on stdout, exit 0, no stack trace`, async () => {
            const run = await synth([flag], home);
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, /^usage: npm run synth -- --stack <name> {3}\(stacks: .*\blocal\b/);
            assert.match(run.stdout, /-s, --stack <name>/);
            assert.equal(run.stderr, "");
        });
    }

    it("an unknown option: exit 2 with the usage, no stack trace", async () => {
        const run = await synth(["--bogus"], home);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^synth: Unknown option '--bogus'/);
        assert.match(run.stderr, /usage: npm run synth -- --stack <name>/);
        assert.doesNotMatch(run.stderr, /\n\s+at /);
    });

    it("no --stack: exit 2 with the usage", async () => {
        const run = await synth([], home);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /^usage: npm run synth -- --stack <name>/);
    });
});
