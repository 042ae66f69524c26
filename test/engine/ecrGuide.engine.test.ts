// docs/ecr.md, "From an existing EKS cluster with Dify installed to `pulumi up`" (issue 20, item 7), run as written: the
// guide's ```bash blocks are read from the page, so the page and this test cannot drift.
// - Steps 1-5 run in a copy of the repository with the real `pulumi` (login to a file backend, stack init, config set,
//   config rm) and the real `npm run synth`; `aws`, `kubectl`, `helm`, `git clone`, `npm ci` and the `pulumi` verbs
//   that need the cloud (`up`, `import`, `preview`) are stand-ins that record their arguments. What the stack file,
//   the policy and the recorded calls hold is checked as parsed data.
// - Step 6 (adopting the release) runs against a real API server where a Helm release `dify` was installed beforehand
//   by another stack (test/engine/existingRelease), with the stand-in chart and a docker registry in place of ECR.
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as YAML from "yaml";
import { apiServerAvailable, ENGINE_TOOLS_HINT, engineToolsBinDir, type RunningApiServer, startApiServer } from "../support/apiServer";
import { type ChartRepository, startChartRepository } from "../support/chartRepository";
import { EngineWorkspace, pulumiBinary } from "../support/pulumiEngine";
import { findBinary, INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "../support/registry";

type Json = Record<string, any>;

const ROOT = path.resolve(__dirname, "..", "..");
const SECTION = "## From an existing EKS cluster with Dify installed to `pulumi up`";
const ACCOUNT = "210987654321";
const ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const POSTGRES_PASSWORD = "Sentinel-guide-pg-3f9a1c";
const BUCKET = "dify-storage-guide";

/** What `helm get values dify -o yaml` prints for the existing release: Dify's own settings and an old registry. */
const EXISTING_VALUES = {
    api: { replicas: 2 },
    externalPostgres: { enabled: true, address: "pg.internal", credentials: { dify: { password: POSTGRES_PASSWORD } } },
    persistence: { type: "s3", s3: { endpoint: "", region: "us-east-1", bucketName: BUCKET, useAwsManagedIam: true } },
    plugin_connector: { replicas: 2, imageRepoPrefix: "old-registry.example.com/plugins", imageRepoType: "docker" },
};

/** The guide's ```bash blocks, in order. */
function guideBlocks(): string[] {
    const page = fs.readFileSync(path.join(ROOT, "docs", "ecr.md"), "utf8");
    const start = page.indexOf(SECTION);
    assert.ok(start >= 0, `docs/ecr.md has no section "${SECTION}"`);
    const end = page.indexOf("\n## ", start + SECTION.length);
    const section = page.slice(start, end < 0 ? undefined : end);
    return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Stand-in commands: each records its arguments (one line per call) in `calls` and answers like the real one. */
function writeStandIns(bin: string, calls: string, realNpm: string, realPulumi: string): void {
    const script = (name: string, body: string) => {
        fs.writeFileSync(path.join(bin, name), `#!/bin/bash\necho "${name} $*" >> ${calls}\n${body}\n`, { mode: 0o755 });
    };
    script(
        "aws",
        `case "$1 $2" in
  "eks describe-cluster") echo ${ISSUER} ;;
  "sts get-caller-identity") echo ${ACCOUNT} ;;
  "iam get-open-id-connect-provider") echo "An error occurred (NoSuchEntity) when calling the GetOpenIDConnectProvider operation" >&2; exit 254 ;;
esac`,
    );
    script("kubectl", "exit 0");
    script("git", '[ "$1" = clone ] && exit 0; exit 1');
    script("helm", `[ "$1 $2" = "get values" ] && cat <<'VALUES'\n${YAML.stringify(EXISTING_VALUES)}VALUES\nexit 0`);
    script("npm", `[ "$1" = ci ] && exit 0; exec ${realNpm} "$@"`);
    // The verbs that talk to the cloud are recorded; everything else is the real CLI.
    script("pulumi", `case "$1" in up|import|preview|refresh|destroy) exit 0 ;; esac; exec ${realPulumi} "$@"`);
}

/** Files of the repository a user's clone has (tracked or new, not deleted), copied to `to`; node_modules linked. */
function copyRepository(to: string): void {
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" })
        .split("\0")
        .filter((f) => f && !f.startsWith("test/") && fs.lstatSync(path.join(ROOT, f), { throwIfNoEntry: false })?.isFile());
    for (const file of files) {
        fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), path.join(to, file));
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(to, "node_modules"));
}

/** Environment of a user's shell: no npm or Pulumi settings of this test run, `HOME` of its own. */
function userEnv(home: string, bin: string): NodeJS.ProcessEnv {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|PULUMI_|INIT_CWD)/i.test(k)));
    const built = path.dirname(pulumiBinary()!) === engineToolsBinDir();
    return {
        ...env,
        HOME: home,
        PATH: [bin, engineToolsBinDir(), process.env.PATH ?? ""].join(path.delimiter),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        ...(built ? { PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" } : {}),
        NO_COLOR: "1",
    };
}

describe("engine: docs/ecr.md, from an existing EKS cluster with Dify installed to pulumi up", () => {
    const blocks = guideBlocks();

    before(() => {
        assert.ok(apiServerAvailable() && pulumiBinary(), `engine tools missing; ${ENGINE_TOOLS_HINT}`);
        assert.ok(registryAvailable(), `docker-registry missing; run: ${INSTALL_HINT}`);
        assert.equal(blocks.length, 6, "the guide has six steps, one bash block each");
    });

    describe("steps 1-5 as written (cloud commands answered by stand-ins)", () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-guide-"));
        const clone = path.join(tmp, "dify-plugin-registry");
        const calls = path.join(tmp, "calls.log");
        let run: { status: number | null; stdout: string; stderr: string };
        let recorded: string[];

        before(() => {
            copyRepository(clone);
            const bin = path.join(tmp, "bin");
            fs.mkdirSync(bin);
            fs.mkdirSync(path.join(tmp, "home"));
            writeStandIns(bin, calls, findBinary("npm")!, pulumiBinary()!);
            // Every block, step 6 included (its pulumi verbs are recorded, not run): the whole page in one shell.
            const script = `set -euo pipefail\n${blocks.join("\n")}`;
            const result = spawnSync("bash", ["-c", script], {
                cwd: tmp,
                env: userEnv(path.join(tmp, "home"), bin),
                encoding: "utf8",
                timeout: 10 * 60_000,
            });
            run = { status: result.status, stdout: result.stdout, stderr: result.stderr };
            recorded = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
        });
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));

        it("every command succeeds", () => {
            assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
        });

        it("pulumi login file://$HOME/.pulumi-dify keeps the state in the user's home; stack init wrote the salt", () => {
            assert.ok(fs.existsSync(path.join(tmp, "home", ".pulumi-dify", ".pulumi", "stacks", "dify-plugin-registry", "prod-eks.json")));
        });

        it("the stack file holds exactly the example with the guide's settings", () => {
            const stack = YAML.parse(fs.readFileSync(path.join(clone, "stacks", "Pulumi.prod-eks.yaml"), "utf8")) as Json;
            const example = YAML.parse(fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.ecr.yaml"), "utf8")) as Json;
            assert.match(stack.encryptionsalt, /^v1:/);
            const p = (key: string) => `dify-plugin-registry:${key}`;
            const { buildContextBucket: _removed, ...registry } = example.config[p("registry")];
            assert.deepEqual(stack.config, {
                ...example.config,
                "aws:region": "us-east-1",
                [p("kubernetes")]: { context: "prod-eks" },
                [p("createNamespace")]: "false",
                [p("registry")]: {
                    ...registry,
                    region: "us-east-1",
                    auth: { ...registry.auth, oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER.slice("https://".length)}` },
                },
                [p("chart")]: { version: "3.9.1", kind: "release", releaseName: "dify", valuesFile: "stacks/dify-values.yaml" },
            });
            assert.deepEqual(YAML.parse(fs.readFileSync(path.join(clone, "stacks", "dify-values.yaml"), "utf8")), EXISTING_VALUES);
        });

        it("the OIDC provider is created when the lookup says it is absent, for the cluster's issuer", () => {
            assert.ok(
                recorded.includes(`aws iam create-open-id-connect-provider --url ${ISSUER} --client-id-list sts.amazonaws.com`),
                recorded.join("\n"),
            );
        });

        it("the deployer policy is the repository's, for the account and region", () => {
            const original = fs.readFileSync(path.join(ROOT, "docs", "ecr-deployer-policy.json"), "utf8");
            const written = JSON.parse(fs.readFileSync(path.join(clone, "deployer-policy.json"), "utf8")) as Json;
            assert.deepEqual(written, JSON.parse(original.replaceAll("123456789012", ACCOUNT)));
            assert.ok(
                recorded.includes(
                    "aws iam create-policy --policy-name dify-plugin-registry-deployer --policy-document file://deployer-policy.json",
                ),
            );
        });

        it("synth evaluates the stack offline: the release, no namespace, the file's password nowhere in plain text", () => {
            // Only what any layout of the synth report shows: the types and names registered.
            assert.ok(run.stdout.includes("kubernetes:helm.sh/v3:Release") && run.stdout.includes("dify-plugin-registry-dify"), run.stdout);
            assert.doesNotMatch(run.stdout, /kubernetes:core\/v1:Namespace/);
            assert.ok(!run.stdout.includes(POSTGRES_PASSWORD), "the values file's password is in the synth output");
        });

        it("step 6's pulumi commands name the URNs the program registers (checked for real below)", () => {
            const urn = "urn:pulumi:prod-eks::dify-plugin-registry";
            assert.deepEqual(
                recorded.filter((c) => /^pulumi (up|import|preview)/.test(c)),
                [
                    `pulumi up --yes --target ${urn}::dify:index:PluginRegistry::dify-plugin-registry --target ${urn}::pulumi:providers:kubernetes::kubernetes`,
                    `pulumi import kubernetes:helm.sh/v3:Release dify-plugin-registry-dify dify/dify --yes --generate-code=false --protect=false ` +
                        `--parent component=${urn}::dify:index:PluginRegistry::dify-plugin-registry --provider kubernetes=${urn}::pulumi:providers:kubernetes::kubernetes`,
                    "pulumi preview --diff",
                    "pulumi up",
                ],
            );
        });
    });

    describe("step 6 against a real API server with the release installed beforehand", () => {
        let api: RunningApiServer;
        let registry: RunningRegistry;
        let repo: ChartRepository;
        let ws: EngineWorkspace;
        const out: Record<string, string> = {};

        /** `line` as the shell splits it, with the guide's variables set for this world. */
        const argv = (line: string) =>
            execFileSync(
                "bash",
                ["-c", `STACK=${ws.stack}; CLUSTER=prod-eks; URN=urn:pulumi:$STACK::dify-plugin-registry; printf '%s\\0' ${line}`],
                {
                    encoding: "utf8",
                },
            )
                .split("\0")
                .filter(Boolean);

        before(async () => {
            [api, registry, repo] = await Promise.all([
                startApiServer(),
                startRegistry({ tls: true, auth: { username: "dify-push", password: "guide-pw" } }),
                startChartRepository(),
            ]);
            // The existing install, then forgotten by Pulumi: the namespace and the release stay in the cluster.
            const existing = new EngineWorkspace({
                project: "existing-dify",
                program: path.join(__dirname, "existingRelease", "index.js"),
            });
            await existing.init({ kubeconfig: api.kubeconfigPath, version: repo.version, repository: repo.url, values: EXISTING_VALUES });
            await existing.ok(["up", "--yes", "--skip-preview"]);
            await existing.ok(["stack", "rm", "--force", "--yes"]);
            existing.remove();
            // The Secret an earlier install made by hand (`kubectl create secret docker-registry`), with the old login.
            await api.kubectl([
                ..."-n dify create secret docker-registry image-repo-secret --docker-server old-registry.example.com".split(" "),
                "--docker-username=old",
                "--docker-password=old-pw",
            ]);

            ws = new EngineWorkspace({
                project: "dify-plugin-registry",
                program: path.join(ROOT, "index.ts"),
                typescript: true,
                stack: "prod-eks",
            });
            fs.mkdirSync(path.join(ws.project, "stacks"));
            fs.writeFileSync(path.join(ws.project, "stacks", "dify-values.yaml"), YAML.stringify(EXISTING_VALUES));
            // Step 5's settings; a docker registry in place of ECR (no AWS here), the loopback chart repository.
            await ws.init({
                namespace: "dify",
                createNamespace: false,
                registry: { type: "docker", server: registry.host, prefix: "dify/plugins", username: "dify-push" },
                chart: {
                    version: repo.version,
                    repository: repo.url,
                    kind: "release",
                    releaseName: "dify",
                    // Absolute: this world's program runs from the repository (its `main`), not the workspace's project
                    // folder; a relative path in a real clone is the synth run above.
                    valuesFile: path.join(ws.project, "stacks", "dify-values.yaml"),
                    skipAwait: true,
                },
                pushCheck: { caFile: registry.caFile },
                kubernetes: { kubeconfig: api.kubeconfigPath },
            });
            await ws.setSecret("registry.password", "guide-pw");
            for (const line of blocks[5].split("\n").filter((l) => /^(pulumi|kubectl) /.test(l))) {
                if (line.startsWith("kubectl ")) {
                    // This world's kubeconfig instead of the user's context.
                    const args = argv(line.slice("kubectl ".length));
                    args.splice(args.indexOf("--context"), 2);
                    await api.kubectl(args);
                    continue;
                }
                const args = argv(line.slice("pulumi ".length));
                const result = await ws.pulumi(args);
                assert.equal(result.code, 0, `${line}\n${result.stdout}\n${result.stderr}`);
                out[args.slice(0, 2).join(" ")] = result.stdout;
            }
        });
        after(async () => {
            await Promise.all([api?.stop(), registry?.stop(), repo?.stop()]);
            ws?.remove();
        });

        it("the targeted up creates the parent and the provider only", () => {
            assert.match(out["up --yes"], /\+ 3 created/);
        });

        it("the import takes the release into the state", () => {
            assert.match(out["import kubernetes:helm.sh/v3:Release"], /= 1 imported/);
        });

        it("the preview updates the release in place, replaces nothing, creates image-repo-secret", () => {
            const preview = out["preview --diff"];
            assert.match(preview, /~ kubernetes:helm\.sh\/v3:Release: \(update\)/);
            assert.doesNotMatch(preview, /replace/i);
            assert.match(preview, /\+ kubernetes:core\/v1:Secret: \(create\)/);
            assert.doesNotMatch(preview, /kubernetes:core\/v1:Namespace/);
            assert.ok(!preview.includes(POSTGRES_PASSWORD), "the preview shows the password");
        });

        it("the release's new revision holds the file's values under the component's plugin_connector keys", async () => {
            const secret = JSON.parse(
                await api.kubectl(["-n", "dify", "get", "secret", "sh.helm.release.v1.dify.v2", "-o", "json"]),
            ) as Json;
            const release = JSON.parse(
                zlib.gunzipSync(Buffer.from(Buffer.from(secret.data.release, "base64").toString("utf8"), "base64")).toString("utf8"),
            ) as Json;
            const { plugin_connector: connector, ...rest } = release.config as Json;
            const { plugin_connector: fileConnector, ...fileRest } = EXISTING_VALUES;
            assert.deepEqual(rest, fileRest);
            assert.deepEqual(connector, {
                replicas: fileConnector.replicas,
                imageRepoSecret: "image-repo-secret",
                imageRepoPrefix: `${registry.host}/dify/plugins`,
                imageRepoType: "docker",
                insecureImageRepo: false,
            });
        });

        it("image-repo-secret made by hand before (deleted by the guide just before up) holds the stack's login", async () => {
            const secret = JSON.parse(await api.kubectl(["-n", "dify", "get", "secret", "image-repo-secret", "-o", "json"])) as Json;
            const auth = Buffer.from("dify-push:guide-pw").toString("base64");
            for (const key of [".dockerconfigjson", "config.json"]) {
                assert.deepEqual(
                    JSON.parse(Buffer.from(secret.data[key], "base64").toString("utf8")),
                    { auths: { [registry.host]: { auth } } },
                    key,
                );
            }
        });

        it("as the guide warns: the import's checkpoint in the file backend's history holds the values; the stack's state does not", () => {
            const dotPulumi = path.join(ws.dir, "state", ".pulumi");
            const holding = (dir: string): string[] =>
                fs.existsSync(dir)
                    ? fs
                          .readdirSync(dir, { recursive: true, encoding: "utf8" })
                          .filter((f) => fs.statSync(path.join(dir, f)).isFile())
                          .filter((f) => fs.readFileSync(path.join(dir, f), "utf8").includes(POSTGRES_PASSWORD))
                    : [];
            assert.deepEqual(holding(path.join(dotPulumi, "stacks")), [], "the stack's current state holds the password");
            for (const kept of ["history", "backups"]) {
                assert.ok(holding(path.join(dotPulumi, kept)).length > 0, `.pulumi/${kept} holds no checkpoint with the values`);
            }
        });

        it("a second preview has nothing to do, and the state holds no password in plain text", async () => {
            await ws.ok(["preview", "--expect-no-changes"]);
            const state = await ws.ok(["stack", "export"]);
            assert.ok(!state.includes(POSTGRES_PASSWORD), "stack export shows the values file's password");
            assert.ok(!state.includes("guide-pw"));
        });
    });
});
