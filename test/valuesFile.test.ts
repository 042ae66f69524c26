/**
 * Issue 20, item 7: `chart.valuesFile`, the user's existing Dify values.yaml. Merged under `chart.values` and under the
 * component's `plugin_connector` keys (the owned keys are dropped from the file); every other value reaches the chart
 * untouched; a relative path resolves against the project directory; a bad file is an error naming the key and the
 * resolved path before anything is registered; the file's values are one secret.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry } from "../components";
import { planPluginRegistry } from "../components/plan";
import { MANAGED_PLUGIN_CONNECTOR_KEYS } from "../components/values/chartValues";
import { PROJECT } from "../program/config";
import { runStack, StackOutputs } from "../program/main";
import { packageSchema } from "../provider/schema";
import argsDocs from "../provider/argsDocs.json";
import { answerAws, ACCOUNT } from "./support/awsAnswers";
import { AWS } from "./support/ecr";
import { evaluate, thrownBy } from "./support/evaluate";
import {
    isSecretValue,
    RecordedResource,
    redactSecrets,
    registered,
    resetRecorded,
    resolved,
    unwrapSecrets,
    useMocks,
} from "./support/mocks";

const POSTGRES_PASSWORD = "Sentinel-pg-vf-2b71c4";
const SECRET_KEY = "Sentinel-sk-vf-90ae3d";
const BUCKET = "sentinel-bucket-vf-4c12e8";

/** An existing release's values (`helm get values dify -n dify -o yaml`), with the keys an older install set by hand. */
const EXISTING_VALUES = `
global:
  appSecretKey: ${SECRET_KEY}
  consoleApiDomain: dify.example.com
api:
  replicas: 3
externalPostgres:
  enabled: true
  address: pg.internal
  credentials:
    dify:
      password: ${POSTGRES_PASSWORD}
persistence:
  type: s3
  s3:
    endpoint: ""
    bucketName: ${BUCKET}
plugin_connector:
  replicas: 2
  imageRepoSecret: image-repo-secret
  imageRepoPrefix: old.example.com/plugins
  imageRepoType: docker
  customServiceAccount: hand-made-builder
`;

const key = (k: string) => `${PROJECT}:${k}`;
const dockerRegistry = { type: "docker", server: "harbor.example.com", prefix: "dify", username: "robot", password: "pw" };

/** Runs the stack program with `config` from the project directory `dir`, as `pulumi up` would. */
async function runIn(
    dir: string,
    config: Record<string, unknown>,
    secretKeys: readonly string[] = [],
): Promise<{ resources: readonly RecordedResource[]; outputs: StackOutputs }> {
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(config).map(([k, v]) => [key(k), JSON.stringify(v)])),
        secretKeys.map(key),
    );
    const cwd = process.cwd();
    process.chdir(dir);
    try {
        let outputs!: StackOutputs;
        const resources = await evaluate(() => (outputs = runStack()));
        return { resources, outputs };
    } finally {
        process.chdir(cwd);
    }
}

describe("chart.valuesFile: an existing Dify values.yaml", () => {
    let project: string;
    before(() => {
        answerAws();
        project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "values-file-")));
        fs.mkdirSync(path.join(project, "dify"));
        fs.writeFileSync(path.join(project, "dify", "values.yaml"), EXISTING_VALUES);
    });
    after(() => fs.rmSync(project, { recursive: true, force: true }));
    afterEach(() => {
        pulumi.runtime.setAllConfig({});
        useMocks();
    });

    it("stack config: merged under chart.values and the component's plugin_connector keys; the rest passes through; one secret", async () => {
        const { resources, outputs } = await runIn(project, {
            registry: dockerRegistry,
            chart: { version: "3.9.1", kind: "release", valuesFile: "dify/values.yaml", values: { api: { replicas: 5 } } },
        });
        const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
        assert.ok(isSecretValue(release.inputs.values), "the release's values are one secret");
        const connector = await resolved(outputs.pluginConnectorValues);
        assert.deepEqual(unwrapSecrets(release.inputs.values), {
            global: { appSecretKey: SECRET_KEY, consoleApiDomain: "dify.example.com" },
            api: { replicas: 5 },
            externalPostgres: { enabled: true, address: "pg.internal", credentials: { dify: { password: POSTGRES_PASSWORD } } },
            persistence: { type: "s3", s3: { endpoint: "", bucketName: BUCKET } },
            // The file's own plugin_connector key stays; the owned ones are the component's.
            plugin_connector: { replicas: 2, ...connector },
        });
        assert.equal(connector.imageRepoPrefix, "harbor.example.com/dify");
        assert.equal(connector.customServiceAccount, undefined, "the file's customServiceAccount is dropped, not kept");
        assert.equal(await pulumi.isSecret(outputs.pluginConnectorValues), true);
        for (const r of resources) {
            const { __provider: _serialized, ...inputs } = r.inputs;
            const text = JSON.stringify(redactSecrets(inputs));
            for (const leak of [POSTGRES_PASSWORD, SECRET_KEY, BUCKET]) {
                assert.ok(!text.includes(leak), `inputs of ${r.type} ${r.name} hold ${leak} outside a secret`);
            }
        }
    });

    it("the registry kind reads the merged values: ECR's build role gets the file's S3 bucket, as a secret", async () => {
        const { resources } = await runIn(project, {
            registry: {
                type: "ecr",
                region: AWS.region,
                prefix: "dify",
                accountId: ACCOUNT,
                auth: { oidcProviderArn: AWS.oidcProviderArn },
            },
            chart: { version: "3.9.1", valuesFile: path.join(project, "dify", "values.yaml") },
        });
        const policies = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
        assert.ok(
            policies.some((p) => isSecretValue(p.inputs.policy) && JSON.stringify(unwrapSecrets(p.inputs.policy)).includes(BUCKET)),
            "the build policy grants the file's bucket, as a secret",
        );
    });

    it("chart.secretValues: false keeps the values plain (the user's explicit choice)", async () => {
        const { resources } = await runIn(project, {
            registry: dockerRegistry,
            chart: { version: "3.9.1", kind: "release", valuesFile: "dify/values.yaml", secretValues: false },
        });
        const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
        assert.ok(!isSecretValue(release.inputs.values));
        assert.equal((release.inputs.values as Record<string, any>).api.replicas, 3);
    });

    for (const [what, file, content, reason] of [
        ["missing", "nowhere/values.yaml", undefined, "no such file"],
        ["not YAML", "broken.yaml", "global: [unclosed\n", "is not YAML"],
        ["a list, not a map", "list.yaml", "- a\n- b\n", "must be a map of Helm values (a values.yaml), got a YAML list"],
    ] as const) {
        it(`stack config, a file ${what}: an error naming the key and the resolved path; nothing registered`, async () => {
            if (content !== undefined) fs.writeFileSync(path.join(project, file), content);
            pulumi.runtime.setAllConfig({
                [key("registry")]: JSON.stringify(dockerRegistry),
                [key("chart")]: JSON.stringify({ version: "3.9.1", valuesFile: file }),
            });
            resetRecorded();
            const cwd = process.cwd();
            process.chdir(project);
            let error: Error;
            try {
                error = thrownBy(() => runStack());
            } finally {
                process.chdir(cwd);
            }
            assert.ok(pulumi.InputPropertiesError.isInstance(error), String(error));
            assert.ok(error.message.startsWith(`Stack config of project ${PROJECT} has invalid arguments:`), error.message);
            assert.ok(error.message.includes(`${key("chart.valuesFile")}: ${reason}`), error.message);
            assert.ok(error.message.includes(path.join(project, file)), error.message);
            assert.deepEqual(registered(), []);
        });
    }

    it("the component (a program): a missing file is an InputPropertiesError on chart.valuesFile; nothing registered", () => {
        resetRecorded();
        const missing = path.join(project, "missing.yaml");
        const error = thrownBy(
            () => new DifyPluginRegistry("dify", { registry: dockerRegistry as never, chart: { version: "3.9.1", valuesFile: missing } }),
        );
        assert.ok(pulumi.InputPropertiesError.isInstance(error), String(error));
        assert.ok(error.message.includes(`chart.valuesFile: no such file: ${missing}`), error.message);
        assert.deepEqual(registered(), []);
    });

    it("warns once, naming each owned key it ignored and the argument that sets it", () => {
        const plan = planPluginRegistry("dify", {
            registry: dockerRegistry as never,
            chart: { version: "3.9.1", valuesFile: path.join(project, "dify", "values.yaml") },
        });
        const warnings = plan.warnings.filter((w) => w.includes("chart.valuesFile"));
        assert.equal(warnings.length, 1, plan.warnings.join("\n"));
        assert.ok(
            warnings[0].includes(
                "ignored plugin_connector.imageRepoPrefix (registry), plugin_connector.imageRepoType (registry.type), " +
                    "plugin_connector.customServiceAccount (pluginConnector.serviceAccounts.build)",
            ),
            warnings[0],
        );
        assert.ok(!warnings[0].includes("imageRepoSecret"), "the fixed Secret name is not worth a warning");
    });

    it("one description in Args, the multi-language schema and stack config; it names exactly the owned keys", () => {
        const description = (argsDocs as unknown as { inputs: Record<string, { description?: string }> }).inputs["chart.valuesFile"]
            ?.description;
        assert.ok(description, "argsDocs.json has chart.valuesFile (run npx tsx provider/argsDocs.ts)");
        const schema = packageSchema("0.0.0") as { types: Record<string, { properties?: Record<string, { description?: string }> }> };
        const chartTypes = Object.values(schema.types).filter((t) => t.properties?.releaseName !== undefined);
        assert.equal(chartTypes.length, 1);
        assert.equal(chartTypes[0].properties!.valuesFile?.description, description);
        const listed = description
            .match(/keys the component owns \(([^)]*)\)/)![1]
            .replace(/\s+/g, " ")
            .split(", ");
        assert.deepEqual([...listed].sort(), Object.keys(MANAGED_PLUGIN_CONNECTOR_KEYS).sort());
    });
});
