// What `npm run synth -- --stack <name>` prints (issue 20, item 5), run as a user runs it, for every stack file in
// stacks/, and for every stack config example in docs/: one YAML document, parsed here. Unknowns read
// `(known after up)`, ids the mocks made up say so, no dynamic-provider internals, every chart value, secrets masked,
// and what `pulumi up` will need per registry kind.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { registryTypes } from "../components/registries";
import { PROJECT } from "../program/config";
import { KINDS_WITH_NEEDS } from "../program/offline/needs";
import { formatSynth, type SynthReport, synthStack } from "../program/offline/synth";
import { listStacks, readStackFile, stackFilePath } from "../program/offline/stackFile";
import { type CliRun, runProcess } from "./support/cli";
import { useMocks } from "./support/mocks";

const ROOT = path.resolve(__dirname, "..");

/** Every string in `value`, with the path it is at. */
function strings(value: unknown, at = ""): [string, string][] {
    if (typeof value === "string") return [[at, value]];
    if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
    if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => strings(v, `${at}.${k}`));
    return [];
}

/** Every key in `value`, at any depth. */
function keys(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(keys);
    if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)]);
    return [];
}

/** What every report must hold, whatever the stack. */
function assertClean(text: string, report: SynthReport, stack: string): void {
    for (const internal of ["__pulumiUnknown", "__provider", "settleMs", "serialized dynamic provider"]) {
        assert.ok(!text.includes(internal), `${stack}: the report shows ${internal}`);
    }
    assert.deepEqual(
        keys(report).filter((k) => k.startsWith("__")),
        [],
    );
    // An id the mocks made up is `<resource name>-id`: never printed as if a cloud had assigned it.
    for (const r of report.resources) {
        assert.ok(!text.includes(`${r.name}-id`), `${stack}: the mock id ${r.name}-id is printed as a value`);
    }
    assert.equal(
        text.split("\n")[0],
        `# Stack "${stack}": ${report.resources.length} resources would be created (evaluated offline: no Pulumi CLI, cloud or cluster was contacted).`,
    );
    const needs = report["pulumi up will need"];
    assert.deepEqual(Object.keys(needs), ["credentials", "replace", "reach"]);
    assert.match(needs.credentials[0], new RegExp(`^a Pulumi backend: \`pulumi login\`.*then \`pulumi stack init ${stack}\`$`));
}

// The credentials each kind needs beyond Pulumi's and the cluster's: the variables or keys named.
const KIND_CREDENTIALS: Record<string, RegExp[]> = {
    docker: [/^the registry's login in registry\.username and registry\.password/],
    dockerhub: [/^a Docker Hub access token with Read & Write scope in registry\.token/],
    ecr: [/^AWS credentials for the aws provider: AWS_PROFILE .* AWS_ACCESS_KEY_ID \+ AWS_SECRET_ACCESS_KEY .*IAM roles/],
    acr: [/^Azure credentials for azure-native and azuread: `az login`, or ARM_CLIENT_ID \+ ARM_CLIENT_SECRET \+ ARM_TENANT_ID/],
    aliyun: [
        /^Alibaba Cloud credentials .*ALICLOUD_ACCESS_KEY \+ ALICLOUD_SECRET_KEY/,
        /^the registry login in registry\.username and registry\.password/,
    ],
    tcr: [
        /^Tencent Cloud API credentials: registry\.secretId \+ registry\.secretKey \(secret\), or TENCENTCLOUD_SECRET_ID \+ TENCENTCLOUD_SECRET_KEY/,
    ],
};

const CLUSTER = "access to a cluster: the current context of KUBECONFIG or ~/.kube/config (or kubernetes.context in the stack config)";
const CHART_REPO = (version: string) => `the chart repository https://langgenius.github.io/dify-helm (chart dify ${version})`;
const PUSH_CHECK = (prefix: string) =>
    `${prefix}: the push check pushes and pulls a test image there during up (or dify-plugin-registry:pushCheck: false)`;
const SECURE = (key: string, stack: string) =>
    `${PROJECT}:registry.${key}: the stack file's ciphertext is a placeholder, not a secret: pulumi config set --secret --path registry.${key} <value> --stack ${stack}`;

// Per stack file: the kind, the cluster line, which keys hold placeholders, what must be reachable.
const EXPECTED: Record<string, { kind: string; cluster: string; replace: string[]; reach: string[] }> = {
    acr: {
        kind: "acr",
        cluster: CLUSTER,
        replace: [
            `${PROJECT}:registry.subscriptionId: "00000000-0000-0000-0000-000000000000": an all-zero ID (an Azure subscription or tenant) is a placeholder`,
        ],
        reach: [CHART_REPO("3.9.1"), PUSH_CHECK("the registry (its address is known after up)")],
    },
    aliyun: {
        kind: "aliyun",
        cluster: CLUSTER,
        replace: [
            `${PROJECT}:registry.instanceId: "cri-acmeprod0example": an "example" value (example.com and EXAMPLE ids are for documentation)`,
            `${PROJECT}:registry.username: "dify-ci@1234567890123456.onaliyun.com": sequential digits: a placeholder account ID`,
            SECURE("password", "aliyun"),
        ],
        reach: [CHART_REPO("3.9.1"), PUSH_CHECK("acme-prod-registry-vpc.cn-hangzhou.cr.aliyuncs.com/dify-plugins")],
    },
    dev: {
        kind: "dockerhub",
        cluster: CLUSTER,
        replace: [SECURE("token", "dev")],
        reach: [CHART_REPO("3.7.4"), PUSH_CHECK("docker.io/acme")],
    },
    ecr: {
        kind: "ecr",
        cluster: CLUSTER,
        replace: [
            `${PROJECT}:registry.auth.oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE": 123456789012 is AWS's documentation account ID`,
            `${PROJECT}:registry.buildContextBucket: "dify-storage-example": an "example" value (example.com and EXAMPLE ids are for documentation)`,
            `${PROJECT}:chart.values.persistence.s3.bucketName: "dify-storage-example": an "example" value (example.com and EXAMPLE ids are for documentation)`,
        ],
        // IRSA: no login on the deploying machine, so no push check.
        reach: [CHART_REPO("3.9.1")],
    },
    local: {
        kind: "docker",
        cluster: "no cluster: every object is written as YAML into rendered/ (kubernetes.renderYamlToDirectory)",
        replace: [],
        reach: [CHART_REPO("3.9.1"), PUSH_CHECK("localhost:5000/dify-plugins")],
    },
    prod: {
        kind: "docker",
        cluster: CLUSTER,
        replace: [
            `${PROJECT}:registry.server: "harbor.internal.example.com": an "example" value (example.com and EXAMPLE ids are for documentation)`,
            SECURE("password", "prod"),
            `${PROJECT}:pluginConnector.imageMirror: "harbor.internal.example.com/dify-mirror": an "example" value (example.com and EXAMPLE ids are for documentation)`,
            `${PROJECT}:pluginConnector.tolerations[0].key: "dify.example.com/plugins": an "example" value (example.com and EXAMPLE ids are for documentation)`,
        ],
        reach: [CHART_REPO("3.9.1"), PUSH_CHECK("harbor.internal.example.com/dify/plugins")],
    },
    tcr: {
        kind: "tcr",
        cluster: CLUSTER,
        replace: [SECURE("secretId", "tcr"), SECURE("secretKey", "tcr")],
        reach: [CHART_REPO("3.9.1"), PUSH_CHECK("the registry (its address is known after up)")],
    },
};

describe("npm run synth: the report, for every stack file", function () {
    this.timeout(180_000);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "synth-report-"));
    after(() => fs.rmSync(home, { recursive: true, force: true }));
    // One run per stack file, two at a time (each is a process evaluating the program): the tests read these.
    const runs = new Map<string, CliRun>();
    before(async () => {
        const stacks = Object.keys(EXPECTED);
        const next = async (): Promise<void> => {
            const stack = stacks.shift();
            if (stack === undefined) return;
            const run = await runProcess(
                "npm",
                ["run", "--silent", "synth", "--", "--stack", stack],
                home,
                { npm_config_update_notifier: "false" },
                { cwd: ROOT },
            );
            runs.set(stack, run);
            await next();
        };
        await Promise.all([next(), next()]);
    });

    it("every stack file has its expectations here, and every registry kind its needs", () => {
        assert.deepEqual(Object.keys(EXPECTED).sort(), listStacks(ROOT));
        assert.deepEqual([...KINDS_WITH_NEEDS].sort(), [...registryTypes].sort());
    });

    for (const stack of Object.keys(EXPECTED)) {
        it(`${stack}: \`npm run synth -- --stack ${stack}\` as written — parsed, clean, every chart value, the needs of its kind`, async () => {
            const run = await runProcess(
                "npm",
                ["run", "--silent", "synth", "--", "--stack", stack],
                home,
                { npm_config_update_notifier: "false" },
                { cwd: ROOT },
            );
            assert.equal(run.code, 0, run.stderr);
            assert.equal(run.stderr, "");
            const report = YAML.parse(run.stdout) as SynthReport;
            assert.equal(report.stack, stack);
            assertClean(run.stdout, report, stack);

            const expected = EXPECTED[stack];
            const needs = report["pulumi up will need"];
            assert.equal(needs.credentials[1], expected.cluster);
            const kindLines = needs.credentials.slice(2);
            assert.equal(kindLines.length, KIND_CREDENTIALS[expected.kind].length, JSON.stringify(kindLines));
            for (const [i, pattern] of KIND_CREDENTIALS[expected.kind].entries()) assert.match(kindLines[i], pattern);
            assert.deepEqual(needs.replace, expected.replace);
            assert.deepEqual(needs.reach, expected.reach);

            // Every chart value given in the stack file reaches the report as given; the component's plugin_connector
            // block is there too — unless the values wait for an address the cloud assigns during up.
            const values = report["chart values"] as Record<string, unknown> | string;
            const file = YAML.parse(fs.readFileSync(stackFilePath(ROOT, stack), "utf8")) as { config: Record<string, any> };
            const given = (file.config[`${PROJECT}:chart`]?.values ?? {}) as Record<string, unknown>;
            if (stack === "acr" || stack === "tcr") {
                assert.equal(values, "(known after up)");
                return;
            }
            assert.ok(typeof values === "object");
            for (const [key, value] of Object.entries(given)) {
                if (key === "plugin_connector") {
                    assert.deepEqual({ ...(values.plugin_connector as object), ...(value as object) }, values.plugin_connector);
                } else assert.deepEqual(values[key], value, `chart value ${key}`);
            }
            assert.equal((values.plugin_connector as Record<string, unknown>).imageRepoSecret, "image-repo-secret");
            assert.ok(!strings(values).some(([, v]) => v === "(see chart values below)"));
        });
    }

    it("ecr: a role's id the mocks made up is marked as such; an unknown ARN reads (known after up)", async () => {
        const run = await runProcess(
            "npm",
            ["run", "--silent", "synth", "--", "--stack", "ecr"],
            home,
            { npm_config_update_notifier: "false" },
            { cwd: ROOT },
        );
        const report = YAML.parse(run.stdout) as SynthReport;
        const policy = report.resources.find(
            (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "dify-plugin-registry-ecr-build",
        );
        assert.equal(policy?.inputs?.role, "(mock id of dify-plugin-registry-ecr-build: known after up)");
        const sa = report.resources.find((r) => r.name === "dify-plugin-registry-build-sa");
        assert.deepEqual((sa!.inputs!.metadata as { annotations: unknown }).annotations, {
            "eks.amazonaws.com/role-arn": "(known after up)",
        });
        assert.ok(report.notes?.includes("(mock id of <resource>) stands for an id the cloud assigns during up: offline there is none"));
        const chart = report.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release");
        assert.equal(chart?.inputs?.values, "(see chart values below)");
    });

    it("local: the registry password written in the stack file is in no form in the report", async () => {
        const run = await runProcess(
            "npm",
            ["run", "--silent", "synth", "--", "--stack", "local"],
            home,
            { npm_config_update_notifier: "false" },
            { cwd: ROOT },
        );
        const password = "local-registry-has-no-auth";
        assert.ok(fs.readFileSync(stackFilePath(ROOT, "local"), "utf8").includes(password), "the stack file changed: pick its password");
        for (const form of [password, Buffer.from(`dify:${password}`).toString("base64")]) {
            assert.ok(!run.stdout.includes(form), `the report shows ${form}`);
        }
        const report = YAML.parse(run.stdout) as SynthReport;
        const check = report.resources.find((r) => r.name === "dify-plugin-registry-push-check");
        assert.deepEqual(check?.inputs, { auth: "[secret]", insecure: true, prefix: "localhost:5000/dify-plugins" });
    });
});

describe("synth: secret chart values and the docs' stack config examples", function () {
    this.timeout(120_000);
    after(() => {
        pulumi.runtime.setAllConfig({});
        useMocks();
    });

    it("a chart block set with --secret: every chart value is listed by key, each [secret]; the secret is nowhere", async () => {
        const secret = "dify-secretKey-7f3a9c";
        const file = {
            config: {
                [`${PROJECT}:registry`]: JSON.stringify({
                    type: "docker",
                    server: "harbor.example.com",
                    prefix: "dify",
                    username: "u",
                    password: "p",
                }),
                [`${PROJECT}:chart`]: JSON.stringify({
                    version: "3.9.1",
                    values: { global: { appSecretKey: secret, edition: "SELF_HOSTED" } },
                }),
            },
            secretKeys: [`${PROJECT}:chart`],
            placeholders: [],
            environments: [],
        };
        const text = formatSynth("secret", file, await synthStack("secret", file));
        assert.ok(!text.includes(secret), "the secret chart value is printed");
        const values = (YAML.parse(text) as SynthReport)["chart values"] as Record<string, any>;
        assert.deepEqual(values.global, { appSecretKey: "[secret]", edition: "[secret]" });
        assert.equal(values.plugin_connector.imageRepoPrefix, "[secret]");
    });

    // Every `config:` block of docs/*.md that configures the registry, as a stack file of its own.
    const examples: { page: string; index: number; yaml: string }[] = [];
    for (const page of fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md"))) {
        const text = fs.readFileSync(path.join(ROOT, "docs", page), "utf8");
        [...text.matchAll(/```yaml\n(config:\n[\s\S]*?)```/g)].forEach((m, index) => {
            if (m[1].includes(`${PROJECT}:registry:`)) examples.push({ page, index, yaml: m[1] });
        });
    }

    it("the docs hold stack config examples", () => {
        assert.ok(examples.length >= 6, `${examples.length} examples`);
    });

    for (const { page, index, yaml } of examples) {
        it(`docs/${page}, example ${index + 1}: synth report parsed, clean, the needs of its kind`, async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-doc-"));
            try {
                const stackFile = path.join(dir, "Pulumi.doc.yaml");
                fs.writeFileSync(stackFile, yaml);
                const file = readStackFile(stackFile);
                const text = formatSynth("doc", file, await synthStack("doc", file));
                const report = YAML.parse(text) as SynthReport;
                assertClean(text, report, "doc");
                const kind = (YAML.parse(yaml).config[`${PROJECT}:registry`] as { type: string }).type;
                const needs = report["pulumi up will need"];
                for (const [i, pattern] of KIND_CREDENTIALS[kind].entries()) assert.match(needs.credentials[2 + i], pattern);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    }
});
