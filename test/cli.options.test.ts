// What both CLI commands share: relative paths are the user's directory (npm's INIT_CWD under `npm run`), and
// `--insecure [HOST]` is one grammar for mirror and check.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseCheckArgs } from "../cli/checkCommand";
import { parseMirrorArgs } from "../cli/mirrorCommand";
import { registryConnections } from "../cli/registryOptions";
import { runCli, runProcess } from "./support/cli";

const ROOT = path.resolve(__dirname, "..");

describe("CLI: relative paths are the user's directory (npm's INIT_CWD under npm run)", function () {
    this.timeout(60_000);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "cli-paths-"));
    const user = path.join(home, "stacks");
    fs.mkdirSync(user);
    fs.writeFileSync(path.join(user, "images.txt"), "src.example.com/team/app:1\n");
    after(() => fs.rmSync(home, { recursive: true, force: true }));

    it("npm run (the repository root as working directory, INIT_CWD the user's): --images-file images.txt is the user's", async () => {
        const run = await runCli(["mirror", "--to", "m.example.com/x", "--images-file", "images.txt", "--dry-run"], home, {
            INIT_CWD: user,
        });
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^src\.example\.com\/team\/app:1 → m\.example\.com\/x\/team\/app:1$/m);
    });

    it("without npm (npx, node): the working directory's", async () => {
        const run = await runCli(
            ["mirror", "--to", "m.example.com/x", "--images-file", "images.txt", "--dry-run"],
            home,
            {},
            { cwd: user },
        );
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^src\.example\.com\/team\/app:1 → /m);
    });

    for (const [command, args, option] of [
        ["check", ["--prefix", "h.example.com/x", "--auth-file", "auth.json"], "--auth-file auth.json"],
        ["check", ["--prefix", "h.example.com/x", "--ca-file", "ca.pem"], "--ca-file ca.pem"],
        ["mirror", ["--to", "m.example.com/x", "--image", "a:1", "--auth-file", "auth.json"], "--auth-file auth.json"],
        ["mirror", ["--to", "m.example.com/x", "--image", "a:1", "--ca-file", "ca.pem"], "--ca-file ca.pem"],
        ["mirror", ["--to", "m.example.com/x", "--images-file", "list.txt"], "--images-file list.txt"],
        ["mirror", ["--to", "m.example.com/x", "--chart-version", "3.11.0", "--chart-values", "values.yaml"], "--chart-values values.yaml"],
    ] as const) {
        it(`${command} ${option} that is missing: the message shows the resolved path`, async () => {
            const run = await runCli([command, ...args], home, { INIT_CWD: user });
            assert.equal(run.code, 2, run.stderr);
            const file = option.split(" ")[1];
            assert.ok(run.stderr.includes(`${option}: ${path.join(user, file)} does not exist`), run.stderr);
        });
    }

    it("`npm run check -- --auth-file auth.json` typed in stacks/: stacks/auth.json, named in full", async () => {
        const run = await runProcess(
            "npm",
            ["run", "--silent", "check", "--", "--prefix", "h.example.com/x", "--auth-file", "auth.json"],
            home,
            { npm_config_update_notifier: "false" },
            { cwd: path.join(ROOT, "stacks") },
        );
        assert.equal(run.code, 2, run.stderr);
        assert.ok(run.stderr.includes(`--auth-file auth.json: ${path.join(ROOT, "stacks", "auth.json")} does not exist`), run.stderr);
    });
});

describe("CLI: --insecure, one grammar for mirror and check", () => {
    it("check: --insecure alone is the prefix's registry; --insecure HOST names one (it was a flag: HOST was refused)", () => {
        assert.deepEqual(parseCheckArgs(["--prefix", "h.example.com/x", "--insecure"]).insecure, ["h.example.com"]);
        assert.deepEqual(parseCheckArgs(["--insecure", "--prefix", "h.example.com/x"]).insecure, ["h.example.com"]);
        assert.deepEqual(parseCheckArgs(["--prefix", "h.example.com/x", "--insecure", "h.example.com"]).insecure, ["h.example.com"]);
        assert.deepEqual(parseCheckArgs(["--prefix", "h.example.com/x", "--insecure", "auth.example.com:5001"]).insecure, [
            "auth.example.com:5001",
        ]);
    });

    it("mirror: --insecure alone is the --to registry (it was 'argument is ambiguous'); --insecure HOST names one", () => {
        const bare = parseMirrorArgs(["--to", "m.example.com:5000/x", "--insecure", "--image", "a:1"]);
        assert.deepEqual(registryConnections(bare.insecure, [], "m.example.com:5000"), { "m.example.com:5000": { insecure: true } });
        const named = parseMirrorArgs(["--to", "m.example.com/x", "--image", "a:1", "--insecure", "src.example.com:5000"]);
        assert.deepEqual(registryConnections(named.insecure, [], "m.example.com"), { "src.example.com:5000": { insecure: true } });
    });
});
