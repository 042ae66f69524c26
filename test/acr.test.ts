import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { basicAuth } from "./support/rejected";
import { AcrRegistryArgs, DifyPluginRegistry, DifyPluginRegistryArgs, planPluginRegistry } from "../components";
import { credentialEndDate } from "../components/registries/acr/credential";
import { acrPushScopeDescription } from "../components/registries/acr/resources";
import { formatSynth, synthStack } from "../program/offline/synth";
import { readStackFile, stackFilePath } from "../program/offline/stackFile";
import {
    answerAzure,
    CLIENT_ID,
    GENERATED_PASSWORD,
    OBJECT_ID,
    registryArmId,
    stopAnsweringClouds,
    SUBSCRIPTION,
} from "./support/cloudAnswers";
import { evaluate } from "./support/evaluate";
import { RecordedResource, redactSecrets, useMocks, resolved } from "./support/mocks";
import { connectorOf, byTypeAndName as sorted, dockerConfigOf, one } from "./support/recorded";

const ROOT = path.resolve(__dirname, "..");
const PARENT = "dify:index:PluginRegistry::dify";
const ACR_PUSH = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec`;
const REGISTRY_ID = registryArmId("rg-dify", "AcmeDifyPlugins");
const EXISTING_SUBSCRIPTION = "7d3e2f1a-0b9c-4d8e-a7f6-5e4d3c2b1a09";
const EXISTING_ID = registryArmId("rg-shared", "sharedreg01", EXISTING_SUBSCRIPTION);

const created: AcrRegistryArgs = {
    type: "acr",
    subscriptionId: SUBSCRIPTION,
    resourceGroupName: "rg-dify",
    registryName: "AcmeDifyPlugins",
    prefix: "dify/plugins",
    credential: { issuedOn: "2026-11-01", lifetimeDays: 90 },
};
const existing: AcrRegistryArgs = {
    type: "acr",
    existingRegistryId: EXISTING_ID,
    prefix: "dify-plugins",
    credential: { issuedOn: "2026-11-01" },
};
const withRegistry = (registry: AcrRegistryArgs): DifyPluginRegistryArgs => ({ registry, chart: { version: "3.9.1" } });

describe("ACR registry (type: acr)", () => {
    before(() => answerAzure());
    after(() => stopAnsweringClouds());

    describe("a new registry", () => {
        let resources: readonly RecordedResource[];
        let component: DifyPluginRegistry;
        before(async () => {
            resources = await evaluate(() => (component = new DifyPluginRegistry("dify", withRegistry(created))));
        });

        it("registers the registry, the push identity, its role assignment, the Secret and the chart, all children of the component", () => {
            assert.deepEqual(sorted(resources), [
                ["azure-native:authorization:RoleAssignment", "dify-acr-push", PARENT],
                ["azure-native:containerregistry:Registry", "dify-acr", PARENT],
                ["azuread:index/application:Application", "dify-acr-push", PARENT],
                ["azuread:index/servicePrincipal:ServicePrincipal", "dify-acr-push", PARENT],
                ["azuread:index/servicePrincipalPassword:ServicePrincipalPassword", "dify-acr-push", PARENT],
                ["dify:index:PluginRegistry", "dify", undefined],
                ["kubernetes:core/v1:Namespace", "dify-namespace", PARENT],
                ["kubernetes:core/v1:Secret", "dify-image-repo-secret", PARENT],
                ["kubernetes:helm.sh/v4:Chart", "dify-dify", PARENT],
                // pushCheck, on by default: the service principal's login must push before the chart is deployed.
                ["pulumi-nodejs:dynamic:Resource", "dify-push-check", PARENT],
            ]);
        });

        it("creates the registry with the Standard SKU and the admin user disabled", () => {
            assert.deepEqual(one(resources, "azure-native:containerregistry:Registry").inputs, {
                resourceGroupName: "rg-dify",
                registryName: "AcmeDifyPlugins",
                sku: { name: "Standard" },
                adminUserEnabled: false,
                // Defaults the azure-native SDK itself fills in.
                anonymousPullEnabled: false,
                networkRuleBypassOptions: "AzureServices",
                publicNetworkAccess: "Enabled",
                zoneRedundancy: "Disabled",
            });
        });

        it("creates an application, its service principal and a password with an explicit end date", () => {
            assert.deepEqual(one(resources, "azuread:index/application:Application").inputs, { displayName: "dify-test-acr-push" });
            assert.deepEqual(one(resources, "azuread:index/servicePrincipal:ServicePrincipal").inputs, { clientId: CLIENT_ID });
            assert.deepEqual(one(resources, "azuread:index/servicePrincipalPassword:ServicePrincipalPassword").inputs, {
                servicePrincipalId: `/servicePrincipals/${OBJECT_ID}`,
                displayName: "dify plugin push, issued 2026-11-01",
                endDate: "2027-01-30T00:00:00Z",
                rotateWhenChanged: { issuedOn: "2026-11-01" },
            });
        });

        it("grants AcrPush (by its subscription-scoped definition id) on the registry only", () => {
            assert.deepEqual(one(resources, "azure-native:authorization:RoleAssignment").inputs, {
                principalId: OBJECT_ID,
                principalType: "ServicePrincipal",
                roleDefinitionId: ACR_PUSH,
                scope: REGISTRY_ID,
                description: acrPushScopeDescription("dify/plugins"),
            });
        });

        it("writes image-repo-secret for the login server with the client id and the generated password", () => {
            assert.deepEqual(dockerConfigOf(resources), {
                auths: { "acmedifyplugins.azurecr.io": { auth: basicAuth(CLIENT_ID, GENERATED_PASSWORD) } },
            });
        });

        it("gives the chart the ACR prefix as a docker-type registry", () => {
            assert.deepEqual(connectorOf(resources), {
                imageRepoSecret: "image-repo-secret",
                imageRepoPrefix: "acmedifyplugins.azurecr.io/dify/plugins",
                imageRepoType: "docker",
                insecureImageRepo: false,
            });
        });

        it("deploys the chart only after the role assignment exists", () => {
            const order = resources.map((r) => r.type);
            assert.ok(order.indexOf("kubernetes:helm.sh/v4:Chart") > order.indexOf("azure-native:authorization:RoleAssignment"));
        });

        it("exposes login server, registry id, client id and the push scope as plain (not secret) outputs", async () => {
            assert.deepEqual(await resolved(component.registryOutputs), {
                loginServer: "acmedifyplugins.azurecr.io",
                registryId: REGISTRY_ID,
                clientId: CLIENT_ID,
                pushScope: "registry",
            });
            assert.equal(await pulumi.isSecret(component.registryOutputs), false);
            assert.equal(await resolved(component.imageRepoPrefix), "acmedifyplugins.azurecr.io/dify/plugins");
        });

        it("keeps the generated password out of every input outside secrets, and out of every output", async () => {
            for (const r of resources) {
                const text = JSON.stringify(redactSecrets(r.inputs));
                assert.ok(!text.includes(GENERATED_PASSWORD), `${r.type} ${r.name} holds the password in plain text`);
                assert.ok(
                    !text.includes(basicAuth(CLIENT_ID, GENERATED_PASSWORD)),
                    `${r.type} ${r.name} holds the docker auth in plain text`,
                );
            }
            const outputs = [component.registryOutputs, component.pluginConnectorValues, component.imageRepoPrefix, component.namespace];
            for (const output of outputs) {
                assert.ok(!JSON.stringify(await resolved(output as pulumi.Output<unknown>)).includes(GENERATED_PASSWORD));
            }
        });
    });

    describe("options of a new registry", () => {
        it("passes SKU, location, display name and owners through", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry(
                        "dify",
                        withRegistry({
                            ...created,
                            sku: "Premium",
                            location: "westeurope",
                            applicationName: "dify-prod-push",
                            owners: ["owner-1"],
                        }),
                    ),
            );
            const registry = one(resources, "azure-native:containerregistry:Registry").inputs;
            assert.deepEqual(registry.sku, { name: "Premium" });
            assert.equal(registry.location, "westeurope");
            assert.deepEqual(one(resources, "azuread:index/application:Application").inputs, {
                displayName: "dify-prod-push",
                owners: ["owner-1"],
            });
            assert.deepEqual(one(resources, "azuread:index/servicePrincipal:ServicePrincipal").inputs, {
                clientId: CLIENT_ID,
                owners: ["owner-1"],
            });
        });
    });

    describe("an existing registry by id", () => {
        let resources: readonly RecordedResource[];
        let component: DifyPluginRegistry;
        before(async () => {
            resources = await evaluate(() => (component = new DifyPluginRegistry("dify", withRegistry(existing))));
        });

        it("creates no registry, only the push identity and its role assignment", () => {
            assert.ok(!resources.some((r) => r.type === "azure-native:containerregistry:Registry"));
            assert.equal(resources.filter((r) => r.type.startsWith("azuread:")).length, 3);
        });

        it("scopes AcrPush to that registry, in the subscription named by its id", () => {
            assert.deepEqual(one(resources, "azure-native:authorization:RoleAssignment").inputs, {
                principalId: OBJECT_ID,
                principalType: "ServicePrincipal",
                roleDefinitionId: `/subscriptions/${EXISTING_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec`,
                scope: EXISTING_ID,
                description: acrPushScopeDescription("dify-plugins"),
            });
        });

        it("logs in to <name>.azurecr.io with the service principal", async () => {
            assert.deepEqual(dockerConfigOf(resources), {
                auths: { "sharedreg01.azurecr.io": { auth: basicAuth(CLIENT_ID, GENERATED_PASSWORD) } },
            });
            assert.equal(connectorOf(resources).imageRepoPrefix, "sharedreg01.azurecr.io/dify-plugins");
            assert.deepEqual(await resolved(component.registryOutputs), {
                loginServer: "sharedreg01.azurecr.io",
                registryId: EXISTING_ID,
                clientId: CLIENT_ID,
                pushScope: "registry",
            });
        });

        it("uses the given login server (sovereign clouds, domain name labels)", async () => {
            const res = await evaluate(
                () => new DifyPluginRegistry("dify", withRegistry({ ...existing, loginServer: "sharedreg01.azurecr.cn" })),
            );
            assert.deepEqual(Object.keys(dockerConfigOf(res).auths), ["sharedreg01.azurecr.cn"]);
            assert.equal(connectorOf(res).imageRepoPrefix, "sharedreg01.azurecr.cn/dify-plugins");
        });

        it("accepts the id as an Output", async () => {
            const res = await evaluate(
                () => new DifyPluginRegistry("dify", withRegistry({ ...existing, existingRegistryId: pulumi.output(EXISTING_ID) })),
            );
            assert.equal(one(res, "azure-native:authorization:RoleAssignment").inputs.scope, EXISTING_ID);
            assert.deepEqual(Object.keys(dockerConfigOf(res).auths), ["sharedreg01.azurecr.io"]);
        });
    });

    describe("the push password's lifetime and rotation", () => {
        it("computes the end date from issuedOn and lifetimeDays alone (default 365 days)", () => {
            assert.equal(credentialEndDate({ issuedOn: "2026-11-01" }), "2027-11-01T00:00:00Z");
            assert.equal(credentialEndDate({ issuedOn: "2028-02-28", lifetimeDays: 2 }), "2028-03-01T00:00:00Z");
        });

        it("registers byte-identical inputs when the same config is evaluated twice", async () => {
            const run = async () => JSON.stringify(await evaluate(() => new DifyPluginRegistry("dify", withRegistry(created))));
            const first = await run();
            assert.equal(await run(), first);
        });

        it("a new issuedOn changes only the password (and so the Secret), nothing else", async () => {
            const before = await evaluate(() => new DifyPluginRegistry("dify", withRegistry(created)));
            const after = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", withRegistry({ ...created, credential: { issuedOn: "2027-01-15", lifetimeDays: 90 } })),
            );
            const changed = after
                .filter(
                    (r) => JSON.stringify(r.inputs) !== JSON.stringify(before.find((b) => b.type === r.type && b.name === r.name)?.inputs),
                )
                .map((r) => r.type);
            assert.deepEqual(changed, ["azuread:index/servicePrincipalPassword:ServicePrincipalPassword"]);
            const password = one(after, "azuread:index/servicePrincipalPassword:ServicePrincipalPassword").inputs;
            assert.equal(password.endDate, "2027-04-15T00:00:00Z");
            assert.deepEqual(password.rotateWhenChanged, { issuedOn: "2027-01-15" });
        });

        it("warns when the password has expired or expires within 30 days", () => {
            const plan = planPluginRegistry("dify", withRegistry({ ...created, credential: { issuedOn: "2020-01-01", lifetimeDays: 30 } }));
            assert.deepEqual(plan.warnings, [
                "registry.credential: the ACR push password expired on 2020-01-31T00:00:00Z; set registry.credential.issuedOn to today to rotate it (docs/acr.md)",
            ]);
        });
    });

    describe("stacks/Pulumi.acr.yaml", () => {
        after(() => {
            pulumi.runtime.setAllConfig({});
            useMocks();
        });

        it("validates and evaluates: a new Standard registry, AcrPush on it, the ACR prefix", async () => {
            const file = readStackFile(stackFilePath(ROOT, "acr"));
            assert.deepEqual(file.placeholders, [], "nothing in the ACR stack is a secret");
            const result = await synthStack("acr", file);
            const registry = one(result.resources, "azure-native:containerregistry:Registry").inputs;
            assert.deepEqual(
                {
                    sku: registry.sku,
                    adminUserEnabled: registry.adminUserEnabled,
                    location: registry.location,
                    name: registry.registryName,
                },
                { sku: { name: "Standard" }, adminUserEnabled: false, location: "westeurope", name: "acmedifyplugins" },
            );
            const role = one(result.resources, "azure-native:authorization:RoleAssignment").inputs;
            assert.equal(role.scope, registryArmId("rg-dify-prod", "acmedifyplugins"));
            assert.equal(
                role.roleDefinitionId,
                "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec",
            );
            assert.equal(
                one(result.resources, "azuread:index/servicePrincipalPassword:ServicePrincipalPassword").inputs.endDate,
                "2027-04-30T00:00:00Z",
            );
            const connector = result.pluginConnector as Record<string, unknown>;
            assert.equal(connector.imageRepoPrefix, "acmedifyplugins.azurecr.io/dify/plugins");
            assert.equal(connector.imageRepoType, "docker");
            const text = formatSynth("acr", file, result);
            assert.ok(!text.includes(GENERATED_PASSWORD), "synth output shows no password");
            assert.match(text, /data: "\[secret\]"/);
        });
    });
});
