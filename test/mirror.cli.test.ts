// The `dify-plugin-registry mirror` command as a child process (node --import tsx cli/main.ts), against a plain-HTTP
// anonymous source and a TLS + htpasswd target on loopback. Digests are checked with skopeo.
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatBytes, formatResult, progressPrinter } from "../cli/progress";
import { parseCaFileArg } from "../cli/registryOptions";
import { startShapingProxy } from "./support/shapingProxy";
import { INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "./support/registry";
import { skopeoCopy } from "./support/skopeo";
import { multiLayerImage, pushLayout, skopeoDigest, twoPlatformIndex, writeAuthFile } from "./support/testImages";
import { pathToFileURL } from "node:url";
import { runCli, runProcess } from "./support/cli";
import { CertificateError, planMirror } from "../engines/oci";
import { chartImageSet } from "../engines/difyChart/images";
import { defaultsForChartVersion } from "../engines/difyChart/defaults";

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
        [
            "a chart version that is not pinned",
            ["mirror", "--to", "m.example.com/x", "--chart-version", "latest"],
            /--chart-version latest: must be a pinned version \(e\.g\. 3\.9\.1\)/,
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
            /--ca-file \/nonexistent\/ca\.pem: \/nonexistent\/ca\.pem does not exist/,
        ],
        [
            "a missing CA file for a source",
            ["mirror", "--to", "m.example.com/x", "--image", "a:1", "--ca-file", "src.example.com:5000=/nonexistent/ca.pem"],
            /--ca-file src\.example\.com:5000=\/nonexistent\/ca\.pem: \/nonexistent\/ca\.pem does not exist/,
        ],
        [
            "a CA file that holds no certificate",
            ["mirror", "--to", "m.example.com/x", "--image", "a:1", "--ca-file", "package.json"],
            new RegExp(`--ca-file package\\.json: ${path.join(ROOT, "package.json").replace(/[.]/g, "\\.")} is not a PEM CA certificate`),
        ],
        [
            "a missing images file",
            ["mirror", "--to", "m.example.com/x", "--images-file", "/nonexistent/images.txt"],
            /--images-file \/nonexistent\/images\.txt: \/nonexistent\/images\.txt does not exist/,
        ],
        [
            "a missing auth file",
            ["mirror", "--to", "m.example.com/x", "--image", "a:1", "--auth-file", "/nonexistent/config.json"],
            /--auth-file \/nonexistent\/config\.json: \/nonexistent\/config\.json does not exist/,
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

describe("mirror CLI: the offline dry run", function () {
    this.timeout(60_000);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-cli-offline-"));
    // Loaded before the CLI (and npm): any connection or DNS lookup throws, so "offline" is proved, not assumed.
    const noNetwork = path.join(home, "no-network.mjs");
    fs.writeFileSync(
        noNetwork,
        [
            'import dns from "node:dns";',
            'import net from "node:net";',
            'const refuse = () => { throw new Error("offline test: a connection was attempted"); };',
            "net.Socket.prototype.connect = refuse;",
            "dns.lookup = refuse;",
            "dns.promises.lookup = refuse;",
            "",
        ].join("\n"),
    );
    const offline = { NODE_OPTIONS: `--import ${pathToFileURL(noNetwork).href}`, npm_config_update_notifier: "false" };
    after(() => fs.rmSync(home, { recursive: true, force: true }));

    it("the README's `npm run mirror -- … --dry-run`, exactly as written: exit 0, every source → target, no registry contacted", async () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const line = /^(npm run mirror -- [^#\n]*--dry-run)\s+#/m.exec(readme)?.[1];
        assert.ok(line, "the README's quick start has no `npm run mirror -- … --dry-run` line");
        const version = /--chart-version (\S+)/.exec(line)![1];
        const to = /--to (\S+)/.exec(line)![1];
        const run = await runProcess("bash", ["-c", line], home, offline);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.equal(run.stderr, "");
        const plan = planMirror(chartImageSet({ defaults: defaultsForChartVersion(version)! }), to);
        assert.ok(plan.length >= 5, `${plan.length} images`);
        const listed = run.stdout.split("\n").filter((l) => l.includes(" → "));
        assert.deepEqual(
            listed,
            plan.map((p) => `${p.source} → ${p.target}`),
        );
        assert.match(run.stdout, new RegExp(`${plan.length} images for ${to} \\(dry run: no registry contacted\\)`));
    });

    it("the offline guard itself: --check-targets (which compares with the mirror) fails under it", async () => {
        const run = await runCli(["mirror", "--to", "m.example.com/x", "--image", "src.example.com/a:1", "--check-targets"], home, offline);
        assert.equal(run.code, 1, run.stdout + run.stderr);
        assert.match(run.stderr, /offline test: a connection was attempted/);
    });

    it("a failed image is printed once: one FAILED line (on stderr, without the source → target repeated in its reason), then a count", async () => {
        const run = await runCli(
            [
                "mirror",
                "--to",
                "127.0.0.1:1/m",
                "--image",
                "127.0.0.1:1/app/a:1",
                "--insecure",
                "--check-targets",
                "--progress-interval",
                "0",
            ],
            home,
        );
        assert.equal(run.code, 1, run.stdout + run.stderr);
        const all = run.stdout + run.stderr;
        assert.equal(all.split("FAILED").length, 2, all);
        assert.match(run.stderr, /^FAILED {5}127\.0\.0\.1:1\/app\/a:1 → 127\.0\.0\.1:1\/m\/app\/a:1\n {11}127\.0\.0\.1:1 is unreachable/m);
        assert.ok(!all.includes("127.0.0.1:1/app/a:1 -> "), all);
        // One image is one image: the start line and the count agree with it (issue 20: "checking 1 images").
        assert.equal(run.stdout.split("\n")[0], "checking 1 image into 127.0.0.1:1/m");
        assert.match(run.stderr, /^1 of 1 image failed; it is named above with its reason$/m);
        assert.match(run.stdout, /^dry run: 0 would be copied, 0 up to date, 1 failed/m);
    });

    it("the offline dry run of one image says so in the singular", async () => {
        const run = await runCli(["mirror", "--to", "m.example.com/x", "--image", "src.example.com/a:1", "--dry-run"], home, offline);
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.equal(run.stdout.split("\n")[0], "1 image for m.example.com/x (dry run: no registry contacted):");
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

    it("an untrusted certificate: one line naming the registry, Node's reason and --ca-file (not the engine's nested text)", () => {
        const cause = new CertificateError("src.corp:5000", "SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain");
        const error = Object.assign(new Error(`src.corp:5000/team/app:1 -> harbor.corp/mirror/team/app:1: ${cause.message}`), { cause });
        const text = formatResult({
            source: "src.corp:5000/team/app:1",
            target: "harbor.corp/mirror/team/app:1",
            status: "failed",
            blobs: { copied: 0, mounted: 0, skipped: 0 },
            bytes: 0,
            durationMs: 10,
            error,
        });
        assert.equal(
            text,
            "FAILED     src.corp:5000/team/app:1 → harbor.corp/mirror/team/app:1\n" +
                "           src.corp:5000: the registry's TLS certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN: self-signed " +
                "certificate in certificate chain); give the CA that signed it with --ca-file src.corp:5000=<ca.pem>",
        );
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

    it("--check-targets compares with the mirror, prints the plan and copies nothing", async () => {
        const run = await cli([...common, "--auth-file", authFile, "--check-targets"], work);
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
            // One line, once: the registry, Node's reason, the option.
            const why = `${tlsSource.host}: the registry's TLS certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate); give the CA that signed it with --ca-file ${tlsSource.host}=<ca.pem>`;
            assert.ok(untrusted.stderr.includes(`\n           ${why}\n`), untrusted.stderr);
            assert.equal((untrusted.stdout + untrusted.stderr).split("DEPTH_ZERO_SELF_SIGNED_CERT").length, 2, untrusted.stderr);
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
                assert.match(l, /^progress: [01]\/1 image done, \d+(\.\d)? (B|kB|MB) transferred, \d+(\.\d)? (B|kB|MB)\/s, \d+ s$/);
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
