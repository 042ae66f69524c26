// `dify-plugin-registry mirror --chart-version X --include-chart` as a child process: the chart from a loopback Helm
// repository (the stand-in chart) into a TLS + htpasswd mirror beside the images, listed by --dry-run (offline),
// compared by --check-targets, copied, then skipped.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startChartRepository, type ChartRepository } from "./support/chartRepository";
import { unseenChartValues } from "./support/chartValues";
import { runCli } from "./support/cli";
import { INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "./support/registry";
import { skopeoInspectRaw } from "./support/skopeo";
import { multiLayerImage, pushLayout, writeAuthFile } from "./support/testImages";

const USER = "mirror";
const PASSWORD = "cli-chart-pass";

describe("mirror CLI: --include-chart usage", function () {
    this.timeout(30_000);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "chart-cli-usage-"));
    after(() => fs.rmSync(home, { recursive: true, force: true }));
    const to = ["mirror", "--to", "m.example.com/x"];

    for (const [args, message] of [
        [["--image", "nginx:1", "--include-chart"], /--include-chart needs --chart-version <version>/],
        [
            ["--chart-version", "3.9.1", "--chart-repository", "https://charts.example.com"],
            /--chart-repository is where --include-chart fetches the chart from: give --include-chart too/,
        ],
        [
            ["--chart-version", "3.9.1", "--include-chart", "--chart-repository", "charts.example.com"],
            /--chart-repository charts\.example\.com: must be an http\(s\):\/\/ URL/,
        ],
    ] as const) {
        it(`${args.join(" ")}: exit 2, nothing started`, async () => {
            const run = await runCli([...to, ...args], home);
            assert.equal(run.code, 2, run.stderr);
            assert.match(run.stderr, message);
            assert.equal(run.stdout, "");
        });
    }
});

describe("live: mirror CLI --include-chart", function () {
    this.timeout(180_000);
    let work: string;
    let source: RunningRegistry | undefined;
    let target: RunningRegistry | undefined;
    let repo: ChartRepository | undefined;
    let args: string[];

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "chart-cli-"));
        [source, target, repo] = await Promise.all([
            startRegistry(),
            startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } }),
            startChartRepository(),
        ]);
        // Every image the values file names is one small loopback image: the images are not what this tests.
        await multiLayerImage(path.join(work, "one"), "v1", "chart-cli", [10_000]);
        await pushLayout(path.join(work, "one"), "v1", source, "up/one");
        const values = path.join(work, "values-3.9.1.yaml");
        fs.writeFileSync(
            values,
            unseenChartValues(() => `${source!.host}/up/one:v1`),
        );
        const auth = writeAuthFile(work, target.host, USER, PASSWORD);
        args = [
            "mirror",
            "--to",
            `${target.host}/dify-mirror`,
            "--chart-version",
            "3.9.1",
            "--chart-values",
            values,
            "--include-chart",
            "--chart-repository",
            repo.url,
            "--auth-file",
            auth,
            "--ca-file",
            target.caFile!,
            "--insecure",
            source.host,
        ];
    });

    after(async () => {
        await Promise.all([source?.stop(), target?.stop(), repo?.stop()]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("live: --dry-run lists the chart with the images and contacts nothing", async () => {
        const run = await runCli([...args, "--dry-run"], work);
        assert.equal(run.code, 0, run.stderr);
        assert.match(
            run.stdout,
            new RegExp(`^chart ${repo!.url} dify 3\\.9\\.1 → ${target!.host}/dify-mirror/charts/dify:3\\.9\\.1$`, "m"),
        );
        assert.deepEqual(repo!.requests, []);
    });

    it("live: --check-targets says the chart would be copied and writes nothing", async () => {
        const run = await runCli([...args, "--check-targets"], work);
        assert.equal(run.code, 0, run.stderr);
        const digest = `sha256:${createHash("sha256").update(repo!.tgz).digest("hex")}`;
        assert.match(
            run.stdout,
            new RegExp(`^chart ${repo!.url} dify 3\\.9\\.1 → \\S+/charts/dify:3\\.9\\.1: would copy \\(chart ${digest}\\)`, "m"),
        );
        assert.ok(!repo!.requests.includes("/dify-3.9.1.tgz"), "the package is not downloaded");
    });

    it("live: a run copies the chart as a Helm artifact; a second run skips it", async () => {
        const run = await runCli(args, work);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^1 copied, 0 skipped, 0 failed/m);
        assert.match(run.stdout, /charts\/dify:3\.9\.1: copied \(sha256:[a-f0-9]{64}, chart sha256:[a-f0-9]{64}\)/);
        const raw = await skopeoInspectRaw(`docker://${target!.host}/dify-mirror/charts/dify:3.9.1`, {
            certDir: target!.certDir,
            authFile: args[args.indexOf("--auth-file") + 1],
        });
        const manifest = JSON.parse(raw.toString("utf8"));
        assert.equal(manifest.layers[0].mediaType, "application/vnd.cncf.helm.chart.content.v1.tar+gzip");
        assert.equal(manifest.layers[0].digest, `sha256:${createHash("sha256").update(repo!.tgz).digest("hex")}`);
        const again = await runCli(args, work);
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stdout, /charts\/dify:3\.9\.1: skipped, already there \(sha256:/);
    });

    it("live: a Helm repository that fails the digest check: exit 1, the chart named on stderr", async () => {
        const bad = await startChartRepository({ digest: "1".repeat(64) });
        try {
            const i = args.indexOf("--chart-repository");
            const run = await runCli([...args.slice(0, i + 1), bad.url, ...args.slice(i + 2), "--to", `${target!.host}/bad`], work);
            assert.equal(run.code, 1, run.stdout);
            assert.match(run.stderr, /^chart http:\/\/127\.0\.0\.1:\d+ dify 3\.9\.1 → \S+\/bad\/charts\/dify:3\.9\.1: failed: .*digest/m);
        } finally {
            await bad.stop();
        }
    });
});
