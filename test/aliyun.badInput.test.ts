import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { rejected } from "./support/rejected";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { parseStackConfig } from "../program/config";
import { evaluateFailingLater, thrownBy } from "./support/evaluate";

type Loose = Record<string, unknown>;
const ENTERPRISE = {
    type: "aliyun",
    edition: "enterprise",
    region: "cn-hangzhou",
    instanceName: "acme-prod",
    instanceId: "cri-acmeprod0example",
    namespace: "dify-plugins",
    username: "dify-ci",
    password: "Passw0rd!x",
};
const PERSONAL = {
    type: "aliyun",
    edition: "personal",
    region: "cn-hangzhou",
    namespace: "dify-plugins",
    username: "acme",
    password: "pw",
};
const args = (registry: Loose): DifyPluginRegistryArgs => ({ registry, chart: { version: "3.9.1" } }) as unknown as DifyPluginRegistryArgs;
const enterprise = (over: Loose) => args({ ...ENTERPRISE, ...over });
const personal = (over: Loose) => args({ ...PERSONAL, ...over });

describe("Aliyun ACR rejects bad input before registering anything", () => {
    for (const edition of ["Enterprise", "basic"]) {
        it(`an unknown edition ${JSON.stringify(edition)}, listing the valid ones`, async () => {
            const msg = await rejected(enterprise({ edition }));
            assert.match(msg, new RegExp(`registry\\.edition: unknown edition "${edition}"; valid editions: "enterprise", "personal"`));
        });
    }

    it("a missing edition", async () => {
        assert.match(
            await rejected(enterprise({ edition: undefined })),
            /registry\.edition: is required; valid editions: "enterprise", "personal"/,
        );
    });

    for (const region of ["hangzhou", "CN-HANGZHOU", "cn_hangzhou", "cn-hangzhou.aliyuncs.com", ""]) {
        it(`a region ${JSON.stringify(region)} not of the cn-hangzhou shape`, async () => {
            assert.match(
                await rejected(enterprise({ region })),
                /registry\.region: .* is not an Alibaba Cloud region id such as "cn-hangzhou" or "ap-southeast-1"/,
            );
        });
    }

    for (const namespace of ["d", "a".repeat(31), "Dify", "dify.plugins", "-dify", "dify_", "dify/plugins", ""]) {
        it(`a namespace ${JSON.stringify(namespace)} (not 2-30 of lowercase, digits, _ and -)`, async () => {
            assert.match(
                await rejected(personal({ namespace })),
                /registry\.namespace: .* is not an ACR namespace: 2-30 lowercase letters, digits, '_' or '-'/,
            );
        });
    }

    it("network vpc with the personal edition", async () => {
        assert.match(
            await rejected(personal({ network: "vpc" })),
            /registry\.network: network "vpc" needs edition "enterprise"; use network "public"/,
        );
    });

    it("an unknown network", async () => {
        assert.match(
            await rejected(enterprise({ network: "intranet" })),
            /registry\.network: unknown network "intranet"; valid networks: "public", "vpc"/,
        );
    });

    it("network together with an explicit endpoint", async () => {
        assert.match(
            await rejected(enterprise({ network: "vpc", endpoint: "registry.example.com" })),
            /registry\.network: chooses the default endpoint; remove it when registry\.endpoint is given/,
        );
    });

    it("an endpoint with a scheme", async () => {
        assert.match(
            await rejected(enterprise({ endpoint: "https://acme.example.com" })),
            /registry\.endpoint: .* is not hostname\[:port\]/,
        );
    });

    it("the enterprise edition without an instance name", async () => {
        assert.match(
            await rejected(enterprise({ instanceName: undefined })),
            /registry\.instanceName: is required for the enterprise edition/,
        );
    });

    it("an instance name the endpoint cannot be built from", async () => {
        assert.match(
            await rejected(enterprise({ instanceName: "Acme_Prod" })),
            /registry\.instanceName: "Acme_Prod" is not an instance name: 3-30 lowercase letters, digits or '-'/,
        );
    });

    it("both instanceId and newInstance", async () => {
        assert.match(
            await rejected(enterprise({ newInstance: {} })),
            /registry\.instanceId: use an existing instance or create one, not both: remove instanceId or newInstance/,
        );
    });

    it("neither instanceId nor newInstance", async () => {
        assert.match(
            await rejected(enterprise({ instanceId: undefined })),
            /registry\.instanceId: is required for the enterprise edition: give instanceId .* or newInstance/,
        );
    });

    it("an instance id that is not cri-…", async () => {
        assert.match(
            await rejected(enterprise({ instanceId: "acme-prod" })),
            /registry\.instanceId: "acme-prod" is not an Enterprise Edition instance id such as "cri-/,
        );
    });

    for (const key of ["instanceName", "instanceId", "newInstance"]) {
        it(`${key} with the personal edition`, async () => {
            const value = key === "newInstance" ? {} : (ENTERPRISE as Loose)[key];
            assert.match(await rejected(personal({ [key]: value })), new RegExp(`registry\\.${key}: applies to edition "enterprise" only`));
        });
    }

    for (const [password, reason] of [
        ["short1!", /8-32 characters/],
        ["onlyletterspassword", /at least two of letters, digits and symbols/],
    ] as const) {
        it(`a new instance's login password that the instance would refuse (${reason.source})`, async () => {
            const msg = await rejected(enterprise({ instanceId: undefined, newInstance: {}, password }));
            assert.match(msg, /registry\.password: the instance login password must/);
            assert.ok(!msg.includes(password), "the message does not repeat the password");
        });
    }

    it("a new instance of an unknown type, AutoRenewal without a period", async () => {
        const msg = await rejected(
            enterprise({ instanceId: undefined, newInstance: { instanceType: "Premium", renewalStatus: "AutoRenewal", period: 0 } }),
        );
        assert.match(
            msg,
            /registry\.newInstance\.instanceType: unknown instance type "Premium"; valid types: "Basic", "Standard", "Advanced"/,
        );
        assert.match(msg, /registry\.newInstance\.period: must be a whole number of months, 1 or more, got 0/);
        assert.match(msg, /registry\.newInstance\.renewPeriod: is required with renewalStatus "AutoRenewal"/);
    });

    it("a missing password and user", async () => {
        const msg = await rejected(enterprise({ password: "", username: " " }));
        assert.match(msg, /registry\.password: the registry login password is required/);
        assert.match(msg, /registry\.username: the Alibaba Cloud account or RAM user name is required/);
    });

    it("a namespace given as an Output fails when it resolves, before any child is registered", async () => {
        const { error, resources } = await evaluateFailingLater(
            () => new DifyPluginRegistry("bad", enterprise({ namespace: pulumi.output("Dify.Plugins") })),
        );
        assert.match(error.message, /registry\.namespace: "Dify\.Plugins" is not an ACR namespace/);
        assert.deepEqual(
            resources.map((r) => r.type),
            ["dify:index:PluginRegistry"],
        );
    });

    it("a mistyped key in stack config, by name", () => {
        const error = thrownBy(() => parseStackConfig({ registry: { ...ENTERPRISE, instanceID: "cri-x" }, chart: { version: "3.9.1" } }));
        assert.match(error.message, /dify-plugin-registry:registry\.instanceID: unknown key; did you mean `instanceId`\?/);
    });
});
