// The mirrored chart read back by Helm itself (helm v3.18.6, the Helm the Kubernetes provider embeds, built by
// scripts/engine-tools.sh): the stand-in chart from a loopback Helm repository, mirrored by engines/chartMirror into a
// TLS + htpasswd registry, then `helm pull oci://…` with the mirror's CA and login gives the package byte for byte.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chartMirrorTarget, mirrorChart } from "../../engines/chartMirror";
import { engineToolsBinDir } from "../support/apiServer";
import { startChartRepository, type ChartRepository } from "../support/chartRepository";
import { findBinary, INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "../support/registry";
import { writeAuthFile } from "../support/testImages";

const USER = "helm-reader";
const PASSWORD = "helm-pull-pass";

function helm(args: readonly string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const bin = findBinary("helm", [engineToolsBinDir()]);
    if (!bin) throw new Error("no helm: run scripts/engine-tools.sh");
    return new Promise((resolve) => {
        execFile(
            bin,
            [...args],
            // A HOME of its own: no helm or docker config of the machine's is read.
            {
                env: {
                    PATH: process.env.PATH,
                    HOME: home,
                    XDG_CONFIG_HOME: path.join(home, ".config"),
                    XDG_CACHE_HOME: path.join(home, ".cache"),
                },
            },
            (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
    });
}

describe("live: helm pulls the mirrored chart back byte for byte", function () {
    this.timeout(180_000);
    let work: string;
    let repo: ChartRepository | undefined;
    let registry: RunningRegistry | undefined;
    let authFile: string;

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "chart-helm-"));
        [repo, registry] = await Promise.all([
            startChartRepository(),
            startRegistry({ tls: true, auth: { username: USER, password: PASSWORD } }),
        ]);
        authFile = writeAuthFile(work, registry.host, USER, PASSWORD);
        const result = await mirrorChart(
            { repository: repo.url, chart: "dify", version: repo.version, target: chartMirrorTarget(`${registry.host}/dify-mirror`) },
            { auth: authFile, registries: { [registry.host]: { caFile: registry.caFile } } },
        );
        assert.equal(result.error, undefined);
        assert.equal(result.status, "copied");
    });

    after(async () => {
        await Promise.all([repo?.stop(), registry?.stop()]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("live: helm pull oci://<mirror>/charts/dify --version 3.9.1 with the mirror's CA and login (a docker config as --registry-config)", async () => {
        const dest = path.join(work, "pulled");
        fs.mkdirSync(dest);
        const run = await helm(
            [
                "pull",
                `oci://${registry!.host}/dify-mirror/charts/dify`,
                "--version",
                "3.9.1",
                "--ca-file",
                registry!.caFile!,
                "--registry-config",
                authFile,
                "--destination",
                dest,
            ],
            work,
        );
        assert.equal(run.code, 0, run.stderr);
        const pulled = fs.readFileSync(path.join(dest, "dify-3.9.1.tgz"));
        assert.ok(pulled.equals(repo!.tgz), "helm's package is the Helm repository's, byte for byte");
        assert.match(run.stdout + run.stderr, /Digest: sha256:[a-f0-9]{64}/);
    });

    it("live: helm show chart reads the artifact's Chart.yaml; without the login helm is refused", async () => {
        const shown = await helm(
            [
                "show",
                "chart",
                `oci://${registry!.host}/dify-mirror/charts/dify`,
                "--version",
                "3.9.1",
                "--ca-file",
                registry!.caFile!,
                "--registry-config",
                authFile,
            ],
            work,
        );
        assert.equal(shown.code, 0, shown.stderr);
        assert.match(shown.stdout, /^name: dify$/m);
        assert.match(shown.stdout, /^version: 3\.9\.1$/m);
        const empty = path.join(work, "empty.json");
        fs.writeFileSync(empty, "{}");
        const refused = await helm(
            [
                "pull",
                `oci://${registry!.host}/dify-mirror/charts/dify`,
                "--version",
                "3.9.1",
                "--ca-file",
                registry!.caFile!,
                "--registry-config",
                empty,
                "--destination",
                path.join(work, "no"),
            ],
            work,
        );
        assert.notEqual(refused.code, 0);
        assert.match(refused.stderr, /basic credential not found|401|unauthorized/i);
    });
});
