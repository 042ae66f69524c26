// The `dify-plugin-registry mirror` command as a child process (node --import tsx cli/main.ts), against a plain-HTTP
// anonymous source and a TLS + htpasswd target on loopback. Digests are checked with skopeo.
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatBytes, progressPrinter } from "../cli/progress";
import { INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "./support/registry";
import { multiLayerImage, pushLayout, skopeoDigest, twoPlatformIndex, writeAuthFile } from "./support/testImages";

const ROOT = path.resolve(__dirname, "..");
const USER = "mirror";
const PASSWORD = "cli-pass-31f";

interface Run {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs the CLI with a HOME holding no docker config, so only --auth-file logs in. */
function cli(args: readonly string[], home: string): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", ...args], {
            cwd: ROOT,
            env: { ...process.env, HOME: home, DOCKER_CONFIG: path.join(home, ".docker") },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.once("error", reject);
        child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
}

describe("mirror CLI: usage errors", function () {
    this.timeout(30_000);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-cli-home-"));
    after(() => fs.rmSync(home, { recursive: true, force: true }));

    for (const [what, args, message] of [
        ["no --to", ["mirror", "--chart-version", "3.9.1"], /--to <registry\/prefix> is required/],
        ["an unknown option", ["mirror", "--to", "m.example.com/x", "--chart-version", "3.9.1", "--bogus"], /Unknown option '--bogus'/],
        ["nothing to mirror", ["mirror", "--to", "m.example.com/x"], /nothing to mirror: give --chart-version/],
        [
            "--all-chart-images without values",
            ["mirror", "--to", "m.example.com/x", "--chart-version", "3.9.1", "--all-chart-images"],
            /needs --chart-values/,
        ],
        [
            "a bad concurrency",
            ["mirror", "--to", "m.example.com/x", "--image", "a:1", "--concurrency", "0"],
            /--concurrency must be an integer from 1 to 256/,
        ],
        [
            "an unknown chart version",
            ["mirror", "--to", "m.example.com/x", "--chart-version", "1.0.0"],
            /chart version 1\.0\.0 is not in the built-in table \(exact versions only: 3\.5\.3, .*\): give its own values with --chart-values <file> \(helm show values dify\/dify --version 1\.0\.0/,
        ],
        ["an unknown command", ["copy"], /unknown command "copy"/],
    ] as const) {
        it(`${what}: exit 2 with a clear message`, async () => {
            const run = await cli(args, home);
            assert.equal(run.code, 2, run.stderr);
            assert.match(run.stderr, message);
        });
    }

    it("--help prints the options, exit 0", async () => {
        const run = await cli(["mirror", "--help"], home);
        assert.equal(run.code, 0);
        assert.match(run.stdout, /--to <registry\/prefix>/);
        assert.match(run.stdout, /--dry-run/);
    });
});

describe("mirror CLI: progress display", () => {
    const result = {
        source: "a.example.com/x:1",
        target: "m.example.com/x:1",
        status: "copied",
        digest: "sha256:ab",
        blobs: { copied: 1, mounted: 0, skipped: 0 },
        bytes: 2_500_000,
        durationMs: 1200,
    } as const;

    it("on a terminal: one status line redrawn in place, finished images as lines above it", () => {
        let text = "";
        const progress = progressPrinter({ write: (t) => (text += t), isTTY: true }, 2);
        progress.onProgress({ type: "image-start", source: result.source, target: result.target });
        progress.onProgress({ type: "image-done", result });
        progress.done();
        assert.match(text, /\[0\/2\] 0 B uploaded {2}m\.example\.com\/x:1/);
        assert.ok(text.includes("\r\x1b[Kcopied     a.example.com/x:1 → m.example.com/x:1  sha256:ab  (2.5 MB, 1.2 s)\n[1/2]"));
        assert.ok(text.endsWith("\r\x1b[K"), "the status line is cleared at the end");
    });

    it("elsewhere: plain lines only", () => {
        let text = "";
        const progress = progressPrinter({ write: (t) => (text += t), isTTY: false }, 1);
        progress.onProgress({ type: "image-start", source: result.source, target: result.target });
        progress.onProgress({ type: "retry", attempt: 1, delayMs: 200, message: "GET x: ECONNRESET" });
        progress.onProgress({ type: "image-done", result });
        progress.done();
        assert.equal(
            text,
            "retry 1 in 0.2 s: GET x: ECONNRESET\ncopied     a.example.com/x:1 → m.example.com/x:1  sha256:ab  (2.5 MB, 1.2 s)\n",
        );
        assert.deepEqual([0, 999, 1000, 12_345_678].map(formatBytes), ["0 B", "999 B", "1.0 kB", "12 MB"]);
    });
});

describe("live: mirror CLI against real registries", function () {
    this.timeout(180_000);
    let work: string;
    let source: RunningRegistry | undefined;
    let target: RunningRegistry | undefined;
    let authFile: string;
    let multiDigest: string;
    let indexDigest: string;
    let common: string[];

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-cli-"));
        [source, target] = await Promise.all([startRegistry(), startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } })]);
        multiDigest = await multiLayerImage(path.join(work, "multi"), "v1", "cli-multi", [400_000, 100_000]);
        indexDigest = (await twoPlatformIndex(path.join(work, "index"), "v1", "cli-index")).indexDigest;
        await pushLayout(path.join(work, "multi"), "v1", source, "upstream/multi");
        await pushLayout(path.join(work, "index"), "v1", source, "upstream/index");
        authFile = writeAuthFile(work, target.host, USER, PASSWORD);
        common = [
            "mirror",
            "--to",
            `${target.host}/mirror`,
            "--image",
            `${source.host}/upstream/multi:v1`,
            "--image",
            `${source.host}/upstream/index:v1`,
            "--insecure",
            source.host,
            "--ca-file",
            target.caFile!,
            "--concurrency",
            "4",
        ];
    });

    after(async () => {
        await Promise.all([source?.stop(), target?.stop()]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("--dry-run prints the plan and copies nothing", async () => {
        const run = await cli([...common, "--auth-file", authFile, "--dry-run"], work);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, new RegExp(`would copy +${source!.host}/upstream/multi:v1 → ${target!.host}/mirror/upstream/multi:v1`));
        assert.match(run.stdout, new RegExp(`would copy +${source!.host}/upstream/index:v1 → ${target!.host}/mirror/upstream/index:v1`));
        assert.match(run.stdout, /dry run: 2 would be copied, 0 up to date, 0 failed .*nothing was written/);
        await assert.rejects(
            skopeoDigest(`${target!.host}/mirror/upstream/multi:v1`, target!, authFile),
            /manifest unknown|not found|name unknown/i,
        );
    });

    it("copies with digests preserved (skopeo inspect --raw), prints plain lines and a summary, exit 0", async () => {
        const run = await cli([...common, "--auth-file", authFile], work);
        assert.equal(run.code, 0, run.stderr);
        assert.ok(!run.stdout.includes("\r"), "no redrawn status line when stdout is not a terminal");
        assert.match(run.stdout, new RegExp(`copied +${source!.host}/upstream/multi:v1 → \\S+  ${multiDigest}  \\(`));
        assert.match(run.stdout, /^2 copied, 0 skipped, 0 failed, \d+(\.\d)? kB uploaded in \d+\.\d s$/m);
        assert.equal(await skopeoDigest(`${target!.host}/mirror/upstream/multi:v1`, target!, authFile), multiDigest);
        assert.equal(await skopeoDigest(`${target!.host}/mirror/upstream/index:v1`, target!, authFile), indexDigest);
    });

    it("a second run skips everything", async () => {
        const run = await cli([...common, "--auth-file", authFile], work);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^0 copied, 2 skipped, 0 failed, 0 B uploaded in \d+\.\d s$/m);
    });

    it("a wrong password: non-zero exit, and says which registry rejected which login", async () => {
        const wrong = writeAuthFile(work, target!.host, USER, "wrong-password");
        const run = await cli([...common.slice(0, 2), `${target!.host}/denied`, ...common.slice(3), "--auth-file", wrong], work);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /2 of 2 images failed/);
        assert.match(run.stderr, new RegExp(`${target!.host} rejected the login of "mirror".*check the username and password`));
        assert.match(run.stdout, /^0 copied, 0 skipped, 2 failed/m);
    });
});
