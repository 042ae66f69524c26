// `dify-plugin-registry mirror --chart-version X [--chart-values FILE]` as a child process: the built-in table for
// exact versions, the version's own values file for any other, against real registries on loopback.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UNSEEN, unseenChartValues } from "./support/chartValues";
import { INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "./support/registry";
import { multiLayerImage, pushLayout, skopeoDigest, tagsOf } from "./support/testImages";
import { runCli } from "./support/cli";

const cli = runCli;

describe("mirror CLI: chart versions", function () {
    this.timeout(30_000);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-chart-cli-"));
    after(() => fs.rmSync(home, { recursive: true, force: true }));
    const to = ["mirror", "--to", "m.example.com/x"];

    it("a version outside the table without --chart-values: exit 2 naming the option and the helm command", async () => {
        const run = await cli([...to, "--chart-version", "3.11.0"], home);
        assert.equal(run.code, 2, run.stderr);
        assert.match(
            run.stderr,
            /chart version 3\.11\.0 is not in the built-in table \(exact versions only: 3\.5\.3, 3\.5\.5, 3\.7\.4, 3\.9\.1\): give its own values with --chart-values <file> \(helm show values dify\/dify --version 3\.11\.0 > values\.yaml\)/,
        );
    });

    it("a patch the table has not seen is not given its series' images", async () => {
        const run = await cli([...to, "--chart-version", "3.9.8"], home);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /chart version 3\.9\.8 is not in the built-in table/);
    });

    for (const [what, content, message] of [
        ["a missing file", undefined, /--chart-values \/\S*missing\.yaml: \/\S*missing\.yaml does not exist/],
        ["a file that is not YAML", "a: [b", /--chart-values .* is not YAML/],
        ["values without plugin_connector", "api: {}\n", /--chart-values .* has no `plugin_connector` map/],
    ] as const) {
        it(`--chart-values with ${what}: exit 2 before any work`, async () => {
            const file = path.join(home, content === undefined ? "missing.yaml" : `v-${what.length}.yaml`);
            if (content !== undefined) fs.writeFileSync(file, content);
            const run = await cli([...to, "--chart-version", "3.11.0", "--chart-values", file], home);
            assert.equal(run.code, 2, run.stderr);
            assert.match(run.stderr, message);
            assert.equal(run.stdout, "", "nothing started");
        });
    }
});

describe("live: mirror CLI copies the images of the chart values file it is given", function () {
    this.timeout(180_000);
    let work: string;
    let source: RunningRegistry | undefined;
    let target: RunningRegistry | undefined;
    let valuesFile: string;
    let digest: string;
    /** Where the values file points each image: the loopback source. */
    const upstream = (ref: string) => `${source!.host}/up/${ref.split("/").pop()}`;
    const all = [UNSEEN.gateway, UNSEEN.shader, UNSEEN.busyBox, UNSEEN.awsCli, UNSEEN.githubShader, ...Object.values(UNSEEN.python)];

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-chart-values-"));
        [source, target] = await Promise.all([startRegistry(), startRegistry()]);
        for (const ref of all) {
            const [, tag] = ref.split("/").pop()!.split(":");
            digest = await multiLayerImage(path.join(work, tag), tag, "chart-values", [20_000]);
            await pushLayout(path.join(work, tag), tag, source, `up/${ref.split("/").pop()!.split(":")[0]}`);
        }
        valuesFile = path.join(work, "values-3.11.0.yaml");
        fs.writeFileSync(valuesFile, unseenChartValues(upstream));
    });

    after(async () => {
        await Promise.all([source?.stop(), target?.stop()]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("--chart-version 3.11.0 --chart-values FILE --github-builder: every helper image, build base and the GitHub kaniko of that file", async () => {
        const run = await cli(
            [
                "mirror",
                "--to",
                `${target!.host}/mirror`,
                "--chart-version",
                "3.11.0",
                "--chart-values",
                valuesFile,
                "--github-builder",
                "--insecure",
                source!.host,
                "--insecure",
                target!.host,
            ],
            work,
        );
        assert.equal(run.code, 0, run.stderr);
        const expected = all.filter((ref) => ref !== UNSEEN.awsCli);
        assert.match(run.stdout, new RegExp(`^${expected.length} copied, 0 skipped, 0 failed`, "m"));
        for (const ref of expected) {
            const name = ref.split("/").pop()!;
            assert.equal(await skopeoDigest(`${target!.host}/mirror/up/${name}`, target!), digest, name);
        }
        assert.deepEqual(await tagsOf(target!, "mirror/up/aws-cli"), [], "aws-cli only with --include-aws-cli");
    });
});
