/**
 * The composition example (examples/platform/) under the shared mocks, in both modes — the cluster created by the
 * program (with the example stack file's config) and read from a platform stack through a StackReference: what is
 * registered, that the component's children get the explicit AWS and Kubernetes providers, that IRSA trusts the
 * cluster's issuer, that the kubeconfig is secret; and that the example type-checks with its own tsconfig.json.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import * as YAML from "yaml";
import { DifyPluginRegistry } from "../components";
import { PROJECT, readPlatformConfig } from "../examples/platform/config";
import { deployPlatform, Platform } from "../examples/platform/platform";
import { ACCOUNT, answerAws, roleArn } from "./support/awsAnswers";
import { byTypeAndName, one, PARENT, parsedInput } from "./support/ecr";
import { evaluate, thrownBy } from "./support/evaluate";
import { answerResource, isSecretValue, RecordedResource, resolved, stopAnswering, useMocks } from "./support/mocks";

const ROOT = path.resolve(__dirname, "..");
const EXAMPLE = path.join(ROOT, "examples", "platform");
const REGION = "eu-central-1";

// What EKS answers for the cluster the program creates.
const CREATED = {
    endpoint: "https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.eu-central-1.eks.amazonaws.com",
    ca: Buffer.from("-----BEGIN CERTIFICATE-----\nCREATED-CLUSTER-CA\n-----END CERTIFICATE-----\n").toString("base64"),
    issuer: "https://oidc.eks.eu-central-1.amazonaws.com/id/CREATED0A1B2C3D4E5F60718293A4B5",
};
// What the platform stack exports. The kubeconfig is answered as a plain output (older stacks exported it so): the
// example must make it secret itself.
const PLATFORM_STACK = "acme/platform/prod";
const REFERENCED = {
    clusterName: "platform-prod",
    kubeconfig: "apiVersion: v1\nkind: Config\n# the platform stack's own kubeconfig\n",
    oidcIssuerUrl: "https://oidc.eks.eu-central-1.amazonaws.com/id/PLATFORM99887766554433221100FF",
    oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/PLATFORM99887766554433221100FF`,
};
const ANSWERED = ["aws:eks/cluster:Cluster", "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "pulumi:pulumi:StackReference"];

const withoutScheme = (url: string) => url.replace(/^https:\/\//, "");

function answerPlatform(): void {
    answerAws();
    answerResource("aws:eks/cluster:Cluster", ({ inputs }) => ({
        id: String(inputs.name),
        state: {
            endpoint: CREATED.endpoint,
            certificateAuthority: { data: CREATED.ca },
            identities: [{ oidcs: [{ issuer: CREATED.issuer }] }],
        },
    }));
    // IAM names the provider after the issuer's host and path, as for a real cluster.
    answerResource("aws:iam/openIdConnectProvider:OpenIdConnectProvider", ({ inputs }) => ({
        state: { arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${withoutScheme(String(inputs.url))}` },
    }));
    // A StackReference reads state `outputs` (and `secretOutputNames`) of a resource whose input `name` is the stack.
    answerResource("pulumi:pulumi:StackReference", () => ({ state: { outputs: REFERENCED, secretOutputNames: [] } }));
}

/** The `config:` of Pulumi.example.yaml as the engine passes it: structured values as JSON text. */
function exampleStackConfig(): Record<string, string> {
    const file = YAML.parse(fs.readFileSync(path.join(EXAMPLE, "Pulumi.example.yaml"), "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(Object.entries(file.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** `dify-platform:<key>` for every key. */
const projectConfig = (config: Record<string, string>) =>
    Object.fromEntries(Object.entries(config).map(([k, v]) => [`${PROJECT}:${k}`, v]));

/** Runs the example with `config` as its stack config. */
async function evaluatePlatform(config: Record<string, string>): Promise<{ platform: Platform; resources: readonly RecordedResource[] }> {
    pulumi.runtime.setAllConfig(config);
    let platform: Platform | undefined;
    const resources = await evaluate(() => {
        platform = deployPlatform(readPlatformConfig());
    });
    return { platform: platform!, resources };
}

/** Runs index.ts, the module `pulumi up` loads, afresh and returns its exports (the stack outputs). */
async function evaluateEntryPoint(): Promise<Record<string, pulumi.Output<unknown>>> {
    const entry = require.resolve("../examples/platform/index.ts");
    delete require.cache[entry];
    let exported: Record<string, pulumi.Output<unknown>> = {};
    await evaluate(() => {
        exported = require(entry);
    });
    return exported;
}

/** The reference (`urn::id`) a resource registered with provider `p` carries. */
async function referenceOf(p: pulumi.ProviderResource): Promise<string> {
    return `${await resolved(p.urn)}::${await resolved(p.id)}`;
}

/** Every AWS and Kubernetes child of the component, and every AWS resource at all, uses the explicit providers. */
async function assertExplicitProviders(platform: Platform, resources: readonly RecordedResource[]): Promise<void> {
    const awsRef = await referenceOf(platform.awsProvider);
    const k8sRef = await referenceOf(platform.k8sProvider);
    const children = resources.filter((r) => r.parent === PARENT);
    const kube = children.filter((r) => r.type.startsWith("kubernetes:"));
    const awsChildren = children.filter((r) => r.type.startsWith("aws:"));
    assert.deepEqual(
        [kube.length, awsChildren.length],
        [5, 5],
        "namespace, Secret, 2 ServiceAccounts, chart; template, 2 roles, 2 policies",
    );
    for (const r of kube) {
        assert.equal(r.provider, k8sRef, `${r.type} ${r.name} uses the explicit Kubernetes provider`);
    }
    for (const r of resources.filter((r) => r.type.startsWith("aws:"))) {
        assert.equal(r.provider, awsRef, `${r.type} ${r.name} uses the explicit AWS provider`);
    }
    assert.deepEqual(one(resources, "pulumi:providers:aws").inputs.region, REGION);
}

/** The IRSA statement of the build role: federated principal and conditions. */
function buildRoleTrust(resources: readonly RecordedResource[]): {
    Principal: { Federated: string };
    Condition: { StringEquals: Record<string, string> };
} {
    const role = one(resources, "aws:iam/role:Role", "dify-ecr-build");
    return parsedInput(role, "assumeRolePolicy").Statement[0];
}

function assertTrustsIssuer(resources: readonly RecordedResource[], issuerUrl: string, providerArn: string): void {
    const issuer = withoutScheme(issuerUrl);
    const statement = buildRoleTrust(resources);
    assert.equal(statement.Principal.Federated, providerArn);
    assert.deepEqual(statement.Condition.StringEquals, {
        [`${issuer}:sub`]: "system:serviceaccount:dify:dify-plugin-build",
        [`${issuer}:aud`]: "sts.amazonaws.com",
    });
}

/** The Kubernetes provider's kubeconfig input, which must be secret-wrapped. */
function secretKubeconfig(resources: readonly RecordedResource[]): string {
    const kubeconfig = one(resources, "pulumi:providers:kubernetes", "platform-k8s").inputs.kubeconfig;
    assert.ok(isSecretValue(kubeconfig), "the provider's kubeconfig is a secret");
    return kubeconfig.value as string;
}

describe("platform composition example (examples/platform/)", () => {
    before(() => answerPlatform());
    after(() => {
        pulumi.runtime.setAllConfig({});
        useMocks();
        for (const type of ANSWERED) {
            stopAnswering(type);
        }
    });

    it("is its own Pulumi project (nodejs, main index.ts) whose name is the namespace of its config keys", () => {
        const project = YAML.parse(fs.readFileSync(path.join(EXAMPLE, "Pulumi.yaml"), "utf8"));
        assert.equal(project.name, PROJECT);
        assert.equal(project.runtime.name, "nodejs");
        assert.equal(project.main, "index.ts");
        assert.ok(fs.existsSync(path.join(EXAMPLE, project.main)));
        assert.ok(Object.keys(exampleStackConfig()).every((key) => key.startsWith(`${PROJECT}:`)));
    });

    it("imports the component by package name, mapped to this repository's source (not a build in dist/)", () => {
        assert.equal(require.resolve("dify-plugin-registry/components"), path.join(ROOT, "components", "index.ts"));
        // One module, so one class: what the example registers is the component under test.
        assert.equal(require("dify-plugin-registry/components").DifyPluginRegistry, DifyPluginRegistry);
    });

    it("type-checks with its own tsconfig.json, the package name resolved to the source", function () {
        this.timeout(120_000);
        const file = ts.readConfigFile(path.join(EXAMPLE, "tsconfig.json"), ts.sys.readFile);
        assert.equal(file.error, undefined);
        const parsed = ts.parseJsonConfigFileContent(file.config, ts.sys, EXAMPLE);
        assert.deepEqual(parsed.errors, []);
        assert.ok(parsed.fileNames.includes(path.join(EXAMPLE, "index.ts")));
        const program = ts.createProgram(parsed.fileNames, parsed.options);
        const diagnostics = ts
            .getPreEmitDiagnostics(program)
            .map((d) => `${d.file ? path.relative(ROOT, d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
        assert.deepEqual(diagnostics, []);
        assert.ok(
            program.getSourceFile(path.join(ROOT, "components", "index.ts")),
            "dify-plugin-registry/components → components/index.ts",
        );
    });

    describe("create mode (the config of Pulumi.example.yaml)", () => {
        let platform: Platform;
        let resources: readonly RecordedResource[];
        before(async () => {
            ({ platform, resources } = await evaluatePlatform(exampleStackConfig()));
        });

        it("creates the cluster with its role, OIDC provider and node group, then the component with ECR + IRSA", () => {
            assert.deepEqual(byTypeAndName(resources), [
                ["aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "dify-ecr-template", PARENT],
                ["aws:eks/cluster:Cluster", "dify-example", undefined],
                ["aws:eks/nodeGroup:NodeGroup", "dify-example-nodes", undefined],
                ["aws:iam/openIdConnectProvider:OpenIdConnectProvider", "dify-example-oidc", undefined],
                ["aws:iam/role:Role", "dify-ecr-build", PARENT],
                ["aws:iam/role:Role", "dify-ecr-runner", PARENT],
                ["aws:iam/role:Role", "dify-example-cluster", undefined],
                ["aws:iam/role:Role", "dify-example-nodes", undefined],
                ["aws:iam/rolePolicy:RolePolicy", "dify-ecr-build", PARENT],
                ["aws:iam/rolePolicy:RolePolicy", "dify-ecr-runner", PARENT],
                ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "dify-example-cluster-AmazonEKSClusterPolicy", undefined],
                ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "dify-example-nodes-AmazonEC2ContainerRegistryReadOnly", undefined],
                ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "dify-example-nodes-AmazonEKS_CNI_Policy", undefined],
                ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "dify-example-nodes-AmazonEKSWorkerNodePolicy", undefined],
                ["dify:index:PluginRegistry", "dify", undefined],
                ["kubernetes:core/v1:Namespace", "dify-namespace", PARENT],
                ["kubernetes:core/v1:Secret", "dify-image-repo-secret", PARENT],
                ["kubernetes:core/v1:ServiceAccount", "dify-build-sa", PARENT],
                ["kubernetes:core/v1:ServiceAccount", "dify-runner-sa", PARENT],
                ["kubernetes:helm.sh/v4:Chart", "dify-dify", PARENT],
                ["pulumi:providers:aws", "platform-aws", undefined],
                ["pulumi:providers:kubernetes", "platform-k8s", undefined],
            ]);
        });

        it("gives the component's children, and the cluster's resources, the explicit providers", async () => {
            await assertExplicitProviders(platform, resources);
        });

        it("names the cluster, puts it and its nodes on the configured subnets, with its creator as admin", () => {
            const subnets = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"];
            const cluster = one(resources, "aws:eks/cluster:Cluster");
            assert.equal(cluster.inputs.name, "dify-example");
            assert.equal(cluster.inputs.roleArn, roleArn("dify-example-cluster"));
            assert.deepEqual(cluster.inputs.vpcConfig, { subnetIds: subnets });
            assert.deepEqual(cluster.inputs.accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true });
            const nodes = one(resources, "aws:eks/nodeGroup:NodeGroup");
            assert.deepEqual(nodes.inputs.subnetIds, subnets);
            assert.deepEqual(nodes.inputs.instanceTypes, ["m6i.large"]);
            assert.deepEqual(nodes.inputs.scalingConfig, { desiredSize: 2, minSize: 1, maxSize: 4 });
            const attachment = one(
                resources,
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "dify-example-cluster-AmazonEKSClusterPolicy",
            );
            assert.equal(attachment.inputs.policyArn, "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy");
        });

        it("registers the cluster's issuer as an IAM OIDC provider for STS, without pinned thumbprints", () => {
            assert.deepEqual(one(resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs, {
                url: CREATED.issuer,
                clientIdLists: ["sts.amazonaws.com"],
            });
        });

        it("trusts the IRSA roles for the created cluster's issuer (sub and aud), through its OIDC provider", () => {
            assertTrustsIssuer(resources, CREATED.issuer, `arn:aws:iam::${ACCOUNT}:oidc-provider/${withoutScheme(CREATED.issuer)}`);
        });

        it("builds a secret kubeconfig from the cluster's endpoint and CA that logs in with aws eks get-token", () => {
            const kubeconfig = JSON.parse(secretKubeconfig(resources));
            assert.deepEqual(kubeconfig.clusters, [
                { name: "dify-example", cluster: { server: CREATED.endpoint, "certificate-authority-data": CREATED.ca } },
            ]);
            assert.equal(kubeconfig["current-context"], "dify-example");
            assert.deepEqual(kubeconfig.users[0].user.exec, {
                apiVersion: "client.authentication.k8s.io/v1beta1",
                command: "aws",
                args: ["eks", "get-token", "--cluster-name", "dify-example", "--region", REGION, "--output", "json"],
                interactiveMode: "Never",
            });
        });

        it("puts plugin images in ECR in the cluster's account and region; kaniko reads the configured bucket", async () => {
            assert.equal(await resolved(platform.plugins.imageRepoPrefix), `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/dify/plugins`);
            const build = parsedInput(one(resources, "aws:iam/rolePolicy:RolePolicy", "dify-ecr-build"), "policy");
            assert.equal(build.Statement[2].Resource, "arn:aws:s3:::dify-storage-example/*");
            const values = one(resources, "kubernetes:helm.sh/v4:Chart").inputs.values as { persistence: { s3: Record<string, unknown> } };
            assert.equal(values.persistence.s3.endpoint, "", "an S3 endpoint would break kaniko's IRSA credentials");
        });

        it("index.ts exports the cluster's four values (the kubeconfig secret) and the registry's", async () => {
            const outputs = await evaluateEntryPoint();
            assert.deepEqual(Object.keys(outputs).sort(), [
                "buildRoleArn",
                "clusterName",
                "imageRepoPrefix",
                "kubeconfig",
                "oidcIssuerUrl",
                "oidcProviderArn",
                "runnerRoleArn",
            ]);
            assert.equal(await resolved(outputs.clusterName), "dify-example");
            assert.equal(await resolved(outputs.oidcIssuerUrl), CREATED.issuer);
            assert.equal(await resolved(outputs.buildRoleArn), roleArn("dify-ecr-build"));
            assert.equal(await pulumi.isSecret(outputs.kubeconfig), true);
        });
    });

    describe("reference mode (platformStack set)", () => {
        let platform: Platform;
        let resources: readonly RecordedResource[];
        before(async () => {
            ({ platform, resources } = await evaluatePlatform(projectConfig({ region: REGION, platformStack: PLATFORM_STACK })));
        });

        it("reads the cluster from the platform stack through a StackReference and creates no cluster", () => {
            assert.deepEqual(one(resources, "pulumi:pulumi:StackReference").inputs.name, PLATFORM_STACK);
            assert.deepEqual(byTypeAndName(resources.filter((r) => r.parent !== PARENT)), [
                ["dify:index:PluginRegistry", "dify", undefined],
                ["pulumi:providers:aws", "platform-aws", undefined],
                ["pulumi:providers:kubernetes", "platform-k8s", undefined],
                ["pulumi:pulumi:StackReference", "platform", undefined],
            ]);
        });

        it("gives the component's children the explicit providers", async () => {
            await assertExplicitProviders(platform, resources);
        });

        it("trusts the IRSA roles for the issuer and OIDC provider the platform stack exports", () => {
            assertTrustsIssuer(resources, REFERENCED.oidcIssuerUrl, REFERENCED.oidcProviderArn);
        });

        it("builds the Kubernetes provider from the platform stack's kubeconfig, kept secret", () => {
            assert.equal(secretKubeconfig(resources), REFERENCED.kubeconfig);
        });

        it("index.ts passes the platform stack's values through as its own outputs", async () => {
            const outputs = await evaluateEntryPoint();
            assert.equal(await resolved(outputs.clusterName), REFERENCED.clusterName);
            assert.equal(await resolved(outputs.oidcProviderArn), REFERENCED.oidcProviderArn);
            assert.equal(await pulumi.isSecret(outputs.kubeconfig), true);
        });
    });

    describe("config", () => {
        it("rejects create-mode keys next to platformStack, by name", () => {
            pulumi.runtime.setAllConfig(
                projectConfig({ region: REGION, platformStack: PLATFORM_STACK, subnetIds: '["subnet-1"]', nodeCount: "3" }),
            );
            assert.match(
                thrownBy(readPlatformConfig).message,
                /dify-platform:platformStack is set, .* dify-platform:subnetIds, dify-platform:nodeCount would be ignored/,
            );
        });

        it("create mode needs the subnets", () => {
            pulumi.runtime.setAllConfig(projectConfig({ region: REGION }));
            assert.match(thrownBy(readPlatformConfig).message, /dify-platform:subnetIds/);
        });
    });
});
