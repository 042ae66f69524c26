// The `dify-plugin-registry mirror` command as a child process (node --import tsx cli/main.ts), against a plain-HTTP
// anonymous source and a TLS + htpasswd target on loopback. Digests are checked with skopeo.
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatBytes, progressPrinter } from "../cli/progress";
import { parseCaFileArg } from "../cli/registryOptions";
import { startShapingProxy } from "./support/shapingProxy";
import { INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "./support/registry";
import { skopeoCopy } from "./support/skopeo";
import { multiLayerImage, pushLayout, skopeoDigest, twoPlatformIndex, writeAuthFile } from "./support/testImages";
import { runCli } from "./support/cli";

const ROOT = path.resolve(__dirname, "..");
const USER = "mirror";
const PASSWORD = "cli-pass-31f";

const cli = runCli;

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
        [
            "a platform without an architecture",
            ["mirror", "--to", "m.example.com/x", "--image", "a:1", "--platform", "linux"],
            /--platform linux: /,
        ],
        [
            "a missing CA file for the mirror",
            ["mirror", "--to", "m.example.com/x", "--image", "a:1", "--ca-file", "/nonexistent/ca.pem"],
            /--ca-file \/nonexistent\/ca\.pem: no such file \/nonexistent\/ca\.pem/,
        ],
        [
            "a missing CA file for a source",
            ["mirror", "--to", "m.example.com/x", "--image", "a:1", "--ca-file", "src.example.com:5000=/nonexistent/ca.pem"],
            /--ca-file src\.example\.com:5000=\/nonexistent\/ca\.pem: no such file \/nonexistent\/ca\.pem/,
        ],
        [
            "a CA file that holds no certificate",
            ["mirror", "--to", "m.example.com/x", "--image", "a:1", "--ca-file", "package.json"],
            /--ca-file package\.json: package\.json is not a PEM CA certificate/,
        ],
        [
            "a missing images file",
            ["mirror", "--to", "m.example.com/x", "--images-file", "/nonexistent/images.txt"],
            /--images-file \/nonexistent\/images\.txt: no such file/,
        ],
        [
            "a missing auth file",
            ["mirror", "--to", "m.example.com/x", "--image", "a:1", "--auth-file", "/nonexistent/config.json"],
            /--auth-file \/nonexistent\/config\.json: no such file/,
        ],
        [
            "a bad progress interval",
            ["mirror", "--to", "m.example.com/x", "--image", "a:1", "--progress-interval", "soon"],
            /--progress-interval must be a number of seconds/,
        ],
    ] as const) {
        it(`${what}: exit 2 with a clear message, before any work`, async () => {
            const run = await cli(args, home);
            assert.equal(run.code, 2, run.stderr);
            assert.match(run.stderr, message);
            assert.equal(run.stdout, "", "nothing started");
        });
    }

    it("--help prints the options, exit 0", async () => {
        const run = await cli(["mirror", "--help"], home);
        assert.equal(run.code, 0);
        assert.match(run.stdout, /--to <registry\/prefix>/);
        assert.match(run.stdout, /--dry-run/);
    });
});

describe("mirror CLI: start-up and structure", function () {
    this.timeout(30_000);

    it("the mirror command loads no Pulumi SDK and no cloud SDK", async () => {
        const loaded = await new Promise<string[]>((resolve, reject) => {
            const child = spawn(process.execPath, ["--import", "tsx", "test/support/loadedModules.ts"], {
                cwd: ROOT,
                stdio: ["ignore", "ignore", "pipe"],
            });
            let stderr = "";
            child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
            child.once("error", reject);
            child.once("close", () => resolve(JSON.parse(stderr)));
        });
        assert.ok(
            loaded.some((f) => f.endsWith(path.join("engines", "oci", "mirror.ts"))),
            "the engine itself was not loaded: the test proved nothing",
        );
        const heavy = loaded.filter((f) => /node_modules[\\/](@pulumi|tencentcloud-sdk-nodejs|@grpc|protobufjs)[\\/]/.test(f));
        assert.deepEqual(heavy, []);
        // Nor what only other commands or a chart version need: the YAML parser (~35 ms), the check command.
        const unneeded = loaded.filter((f) => /node_modules[\\/]yaml[\\/]|cli[\\/](checkCommand|chartSources)\.ts$/.test(f));
        assert.deepEqual(unneeded, []);
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

    it("retries of one registry failing the same way print once, then as a count", () => {
        let text = "";
        const progress = progressPrinter({ write: (t) => (text += t), isTTY: false }, 1, { intervalMs: 0 });
        for (let i = 1; i <= 50; i++) {
            progress.onProgress({
                type: "retry",
                attempt: (i % 5) + 1,
                delayMs: 200,
                message: `GET 127.0.0.1:5000/app/x blob sha256:${String(i).padStart(64, "0")}: connect ECONNREFUSED 127.0.0.1:5000`,
            });
        }
        progress.onProgress({ type: "retry", attempt: 1, delayMs: 200, message: "GET other.example.com/app/x manifest 1: socket hang up" });
        progress.done();
        const lines = text.trimEnd().split("\n");
        assert.equal(lines.length, 3, text);
        assert.match(lines[0], /^retry 2 in 0\.2 s: GET 127\.0\.0\.1:5000\/app\/x blob .*ECONNREFUSED/);
        assert.match(lines[1], /^retry 1 in 0\.2 s: GET other\.example\.com/);
        assert.equal(lines[2], "retried 49 more times: 127.0.0.1:5000: connect ECONNREFUSED 127.0.0.1:5000");
    });

    it("--ca-file values: HOST=FILE for that host, a bare FILE for the --to registry", () => {
        assert.deepEqual(parseCaFileArg("ca.pem", "m.example.com"), { host: "m.example.com", file: "ca.pem" });
        assert.deepEqual(parseCaFileArg("src.example.com=/etc/ca.pem", "m"), { host: "src.example.com", file: "/etc/ca.pem" });
        assert.deepEqual(parseCaFileArg("10.0.0.5:5000=ca.pem", "m"), { host: "10.0.0.5:5000", file: "ca.pem" });
        assert.deepEqual(parseCaFileArg("/certs/a=b/ca.pem", "m"), { host: "m", file: "/certs/a=b/ca.pem" }, "a path with = stays a path");
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

    it("a TLS source with a private CA: --ca-file HOST=FILE trusts it for that source; without it, exit 1 naming the registry and the option", async () => {
        const tlsSource = await startRegistry({ tls: true });
        try {
            const push = await skopeoCopy({
                src: `oci:${path.join(work, "multi")}:v1`,
                dest: `docker://${tlsSource.host}/upstream/multi:v1`,
                destCertDir: tlsSource.certDir,
            });
            assert.ok(push.ok, push.stderr);
            const images = path.join(work, "images.txt");
            fs.writeFileSync(images, `# from the TLS source\n${tlsSource.host}/upstream/multi:v1\n\n`);
            const args = [
                "mirror",
                "--to",
                `${target!.host}/tls-src`,
                "--images-file",
                images,
                "--ca-file",
                target!.caFile!,
                "--auth-file",
                authFile,
            ];
            const untrusted = await cli(args, work);
            assert.equal(untrusted.code, 1, untrusted.stderr);
            assert.match(untrusted.stderr, new RegExp(`${tlsSource.host}: the registry's TLS certificate is not trusted`));
            assert.match(untrusted.stderr, new RegExp(`fix: --ca-file ${tlsSource.host}=<ca\\.pem>`));
            const run = await cli([...args, "--ca-file", `${tlsSource.host}=${tlsSource.caFile}`], work);
            assert.equal(run.code, 0, run.stderr);
            assert.equal(await skopeoDigest(`${target!.host}/tls-src/upstream/multi:v1`, target!, authFile), multiDigest);
        } finally {
            await tlsSource.stop();
        }
    });

    it("without a terminal: a progress line every --progress-interval with bytes, rate and images done", async () => {
        const slow = await startShapingProxy(source!.host, { totalBytesPerSec: 400_000 });
        try {
            const run = await cli(
                [
                    "mirror",
                    "--to",
                    `${target!.host}/progress`,
                    "--image",
                    `${slow.host}/upstream/multi:v1`,
                    "--insecure",
                    slow.host,
                    "--ca-file",
                    target!.caFile!,
                    "--auth-file",
                    authFile,
                    "--progress-interval",
                    "0.2",
                ],
                work,
            );
            assert.equal(run.code, 0, run.stderr);
            const lines = run.stdout.split("\n").filter((l) => l.startsWith("progress: "));
            assert.ok(lines.length >= 2, run.stdout);
            for (const l of lines)
                assert.match(l, /^progress: [01]\/1 images done, \d+(\.\d)? (B|kB|MB) transferred, \d+(\.\d)? (B|kB|MB)\/s, \d+ s$/);
            assert.ok(!run.stdout.includes("\r"));
        } finally {
            await slow.stop();
        }
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
