// The chart mirror engine against real servers: the stand-in chart in a plain Helm repository on loopback (with and
// without a login), pushed into a TLS + htpasswd registry. What landed is read back with skopeo (the manifest) and raw
// HTTPS GETs (the blobs); Helm itself pulls it back in test/engine/chartMirror.engine.test.ts.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { chartMirrorTarget, HELM_MEDIA_TYPES, mirrorChart, type ChartMirrorOptions } from "../engines/chartMirror";
import { startChartRepository, type ChartRepository } from "./support/chartRepository";
import { INSTALL_HINT, registryAvailable, startRegistry, type RunningRegistry } from "./support/registry";
import { skopeoInspectRaw } from "./support/skopeo";
import { writeAuthFile } from "./support/testImages";

const USER = "charts";
const PASSWORD = "chart-s3cret";
const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** GET a path of the registry with its CA and the login, bytes as served. */
function registryGet(registry: RunningRegistry, urlPath: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const req = https.get(
            `${registry.url}${urlPath}`,
            {
                ca: fs.readFileSync(registry.caFile!),
                headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}` },
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c)).on("end", () =>
                    res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${urlPath}: ${res.statusCode}`)),
                );
            },
        );
        req.on("error", reject);
    });
}

describe("live: the chart mirror (engines/chartMirror) from a Helm repository into a TLS + htpasswd registry", function () {
    this.timeout(120_000);
    let work: string;
    let repo: ChartRepository | undefined;
    let registry: RunningRegistry | undefined;
    let options: ChartMirrorOptions;

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "chart-mirror-"));
        [repo, registry] = await Promise.all([
            startChartRepository(),
            startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } }),
        ]);
        options = {
            auth: writeAuthFile(work, registry.host, USER, PASSWORD),
            registries: { [registry.host]: { caFile: registry.caFile } },
        };
    });

    after(async () => {
        await Promise.all([repo?.stop(), registry?.stop()]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    const item = (version = repo!.version, target = chartMirrorTarget(`${registry!.host}/dify-mirror`)) => ({
        repository: repo!.url,
        chart: "dify",
        version,
        target,
    });

    it("live: a dry run reads the index and the mirror, downloads and writes nothing", async () => {
        const before = repo!.requests.length;
        const result = await mirrorChart(item(), { ...options, dryRun: true });
        assert.equal(result.error, undefined);
        assert.equal(result.status, "would-copy");
        assert.equal(result.target, `${registry!.host}/dify-mirror/charts/dify:3.9.1`);
        assert.equal(result.chartDigest, sha256(repo!.tgz));
        assert.deepEqual(repo!.requests.slice(before), ["/index.yaml"]);
    });

    it("live: pushes the package as the artifact helm push writes: the .tgz byte for byte as the chart layer, Chart.yaml as the config", async () => {
        const result = await mirrorChart(item(), options);
        assert.equal(result.error, undefined);
        assert.equal(result.status, "copied");
        assert.equal(result.chartDigest, sha256(repo!.tgz));
        const raw = await skopeoInspectRaw(`docker://${result.target}`, { certDir: registry!.certDir, authFile: options.auth as string });
        assert.equal(sha256(raw), result.digest);
        const manifest = JSON.parse(raw.toString("utf8"));
        assert.equal(manifest.schemaVersion, 2);
        assert.equal(manifest.config.mediaType, "application/vnd.cncf.helm.config.v1+json");
        assert.deepEqual(
            manifest.layers.map((l: { mediaType: string; digest: string; size: number }) => [l.mediaType, l.digest, l.size]),
            [["application/vnd.cncf.helm.chart.content.v1.tar+gzip", sha256(repo!.tgz), repo!.tgz.length]],
        );
        assert.equal(manifest.annotations["org.opencontainers.image.title"], "dify");
        assert.equal(manifest.annotations["org.opencontainers.image.version"], "3.9.1");
        const layer = await registryGet(registry!, `/v2/dify-mirror/charts/dify/blobs/${sha256(repo!.tgz)}`);
        assert.ok(layer.equals(repo!.tgz), "the chart layer is the package byte for byte");
        const config = JSON.parse((await registryGet(registry!, `/v2/dify-mirror/charts/dify/blobs/${manifest.config.digest}`)).toString());
        const chartYaml = YAML.parse(fs.readFileSync(path.join(__dirname, "engine", "standin-chart", "dify", "Chart.yaml"), "utf8"));
        assert.deepEqual(config, {
            name: chartYaml.name,
            version: chartYaml.version,
            description: chartYaml.description,
            apiVersion: chartYaml.apiVersion,
            appVersion: chartYaml.appVersion,
            type: chartYaml.type,
        });
        assert.deepEqual(Object.keys(config), ["name", "version", "description", "apiVersion", "appVersion", "type"], "Helm's field order");
        assert.equal(HELM_MEDIA_TYPES.manifest, "application/vnd.oci.image.manifest.v1+json");
    });

    it("live: a second run finds the same package there and skips it (the index read, the package not downloaded)", async () => {
        const before = repo!.requests.length;
        const result = await mirrorChart(item(), options);
        assert.equal(result.error, undefined);
        assert.equal(result.status, "skipped");
        assert.equal(result.bytes, 0);
        assert.deepEqual(repo!.requests.slice(before), ["/index.yaml"]);
    });

    it("live: a package that does not match the index's digest is refused and nothing is tagged", async () => {
        const bad = await startChartRepository({ digest: "0".repeat(64) });
        try {
            const result = await mirrorChart(
                { ...item(), repository: bad.url, target: chartMirrorTarget(`${registry!.host}/other`) },
                options,
            );
            assert.equal(result.status, "failed");
            assert.match(result.error!.message, /content does not match its digest|does not match/);
            await assert.rejects(registryGet(registry!, "/v2/other/charts/dify/manifests/3.9.1"), /404/);
        } finally {
            await bad.stop();
        }
    });

    it("live: a version the index does not list fails naming the versions it has", async () => {
        const result = await mirrorChart(item("3.9.2"), options);
        assert.equal(result.status, "failed");
        assert.match(result.error!.message, /has no version 3\.9\.2 of chart "dify" \(latest listed: 3\.9\.1\)/);
    });

    it("live: a Helm repository with a login: refused without it (naming the host), read with it from the same docker config", async () => {
        const locked = await startChartRepository({ auth: { username: "reader", password: "repo-pass" } });
        try {
            const target = chartMirrorTarget(`${registry!.host}/locked`);
            const without = await mirrorChart({ ...item(), repository: locked.url, target }, options);
            assert.equal(without.status, "failed");
            assert.match(without.error!.message, new RegExp(`${new URL(locked.url).host} requires a login \\(HTTP 401\\)`));
            const auth = {
                auths: {
                    [registry!.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString("base64") },
                    [new URL(locked.url).host]: { auth: Buffer.from("reader:repo-pass").toString("base64") },
                },
            };
            const withLogin = await mirrorChart({ ...item(), repository: locked.url, target }, { ...options, auth });
            assert.equal(withLogin.error, undefined);
            assert.equal(withLogin.status, "copied");
        } finally {
            await locked.stop();
        }
    });
});
