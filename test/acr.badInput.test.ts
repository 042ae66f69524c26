import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { rejected } from "./support/rejected";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { parseStackConfig } from "../program/config";
import { evaluateFailingLater, thrownBy } from "./support/evaluate";

const CREATE = {
    type: "acr",
    subscriptionId: "0b1f6471-1bf0-4dda-aec3-111122223333",
    resourceGroupName: "rg-dify",
    registryName: "acmedifyplugins",
    prefix: "dify-plugins",
    credential: { issuedOn: "2026-11-01" },
};
const EXISTING_ID =
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/sharedreg01";
type Loose = Record<string, unknown>;
const args = (registry: Loose): DifyPluginRegistryArgs => ({ registry, chart: { version: "3.9.1" } }) as unknown as DifyPluginRegistryArgs;
const creating = (over: Loose) => args({ ...CREATE, ...over });

describe("ACR rejects bad input before registering anything", () => {
    for (const name of ["acme", "acme-dify-plugins", "acme.dify", "a".repeat(51), ""]) {
        it(`a registry name ${JSON.stringify(name)} (not 5-50 alphanumerics)`, async () => {
            assert.match(
                await rejected(creating({ registryName: name })),
                /registry\.registryName: .* is not an ACR registry name: 5-50 letters and digits/,
            );
        });
    }

    for (const sku of ["Classic", "standard", "Gold"]) {
        it(`an unknown SKU ${JSON.stringify(sku)}, listing the valid ones`, async () => {
            const msg = await rejected(creating({ sku }));
            assert.match(msg, new RegExp(`registry\\.sku: unknown SKU "${sku}"; valid SKUs: "Basic", "Standard", "Premium"`));
        });
    }

    it("both existingRegistryId and creation arguments, naming them", async () => {
        const msg = await rejected(creating({ existingRegistryId: EXISTING_ID }));
        assert.match(
            msg,
            /registry\.existingRegistryId: use an existing registry or create one, not both: remove existingRegistryId or subscriptionId, resourceGroupName, registryName/,
        );
    });

    it("neither existingRegistryId nor creation arguments", async () => {
        const msg = await rejected(args({ type: "acr", prefix: "dify", credential: { issuedOn: "2026-11-01" } }));
        for (const key of ["subscriptionId", "resourceGroupName", "registryName"]) {
            assert.match(
                msg,
                new RegExp(`registry\\.${key}: is required to create a registry \\(or give existingRegistryId to use one\\)`),
            );
        }
    });

    for (const id of [
        "sharedreg01",
        "/subscriptions/abc/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/sharedreg01",
        EXISTING_ID.replace("registries", "vaults"),
    ]) {
        it(`an existingRegistryId ${JSON.stringify(id.slice(0, 40))}… that is not a registry id`, async () => {
            assert.match(
                await rejected(
                    args({
                        ...CREATE,
                        subscriptionId: undefined,
                        resourceGroupName: undefined,
                        registryName: undefined,
                        existingRegistryId: id,
                    }),
                ),
                /registry\.existingRegistryId: .* is not a registry resource id; expected `\/subscriptions\//,
            );
        });
    }

    it("a subscription id that is not a GUID", async () => {
        assert.match(
            await rejected(creating({ subscriptionId: "my-subscription" })),
            /registry\.subscriptionId: "my-subscription" is not a subscription id: a GUID/,
        );
    });

    it("a resource group name with a slash", async () => {
        assert.match(
            await rejected(creating({ resourceGroupName: "rg/dify" })),
            /registry\.resourceGroupName: "rg\/dify" is not a resource group name/,
        );
    });

    it("loginServer for a registry the component creates", async () => {
        assert.match(
            await rejected(creating({ loginServer: "x.azurecr.io" })),
            /registry\.loginServer: is read from the registry the component creates; give it only with existingRegistryId/,
        );
    });

    it("a missing credential block", async () => {
        assert.match(
            await rejected(creating({ credential: undefined })),
            /registry\.credential: is required: \{ issuedOn: "YYYY-MM-DD", lifetimeDays: 365 \}/,
        );
    });

    for (const issuedOn of ["2026-13-01", "2026-02-30", "01/11/2026", "today"]) {
        it(`credential.issuedOn ${JSON.stringify(issuedOn)}`, async () => {
            assert.match(
                await rejected(creating({ credential: { issuedOn } })),
                /registry\.credential\.issuedOn: .* is not a date; give the day the password is issued as "YYYY-MM-DD"/,
            );
        });
    }

    for (const lifetimeDays of [0, 731, 1.5]) {
        it(`credential.lifetimeDays ${lifetimeDays}`, async () => {
            const msg = await rejected(creating({ credential: { issuedOn: "2026-11-01", lifetimeDays } }));
            assert.match(
                msg,
                new RegExp(`registry\\.credential\\.lifetimeDays: must be a whole number of days from 1 to 730, got ${lifetimeDays}`),
            );
        });
    }

    it("every problem at once", async () => {
        const msg = await rejected(creating({ registryName: "x", sku: "Gold", prefix: "Dify", credential: { issuedOn: "x" } }));
        for (const path of ["registry.registryName", "registry.sku", "registry.prefix", "registry.credential.issuedOn"]) {
            assert.ok(msg.includes(`${path}: `), `${path} is reported`);
        }
    });

    it("a registry name given as an Output fails when it resolves, before any child is registered", async () => {
        const { error, resources } = await evaluateFailingLater(
            () => new DifyPluginRegistry("bad", creating({ registryName: pulumi.output("no-dashes-allowed") })),
        );
        assert.match(error.message, /registry\.registryName: "no-dashes-allowed" is not an ACR registry name/);
        assert.deepEqual(
            resources.map((r) => r.type),
            ["dify:index:PluginRegistry"],
        );
    });

    it("a mistyped key in stack config, by name", () => {
        const error = thrownBy(() => parseStackConfig({ registry: { ...CREATE, adminUserEnabled: true }, chart: { version: "3.9.1" } }));
        assert.match(
            error.message,
            /dify-plugin-registry:registry\.adminUserEnabled: unknown key \(valid: type, prefix, existingRegistryId/,
        );
    });
});
