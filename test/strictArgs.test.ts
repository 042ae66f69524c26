// Issue 10's strictness: the same schema checks stack config and the TypeScript arguments at run time, so a typo or a
// wrong primitive type is refused in both, by path, before anything is registered. Outputs pass where the type says Input.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { parseStackConfig, PROJECT } from "../program/config";
import { evaluate, thrownBy } from "./support/evaluate";
import { registered, resetRecorded, settle } from "./support/mocks";

type Loose = Record<string, unknown>;
const docker = { type: "docker", server: "harbor.example.com", prefix: "dify-plugins", username: "robot", password: "pw" };
const ecr = {
    type: "ecr",
    region: "us-east-1",
    prefix: "dify",
    auth: { mode: "irsa", oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC" },
};
const acr = {
    type: "acr",
    existingRegistryId: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/reg",
    prefix: "dify",
    credential: { issuedOn: "2026-11-01" },
};
const base: Loose = { registry: docker, chart: { version: "3.9.1" } };

/** The component's message for `args`; asserts nothing was registered. */
async function programError(args: Loose): Promise<string> {
    resetRecorded();
    const error = thrownBy(() => new DifyPluginRegistry("bad", args as unknown as DifyPluginRegistryArgs));
    await settle();
    assert.ok(pulumi.InputPropertiesError.isInstance(error), String(error));
    assert.deepEqual(registered(), [], "nothing may be registered");
    return error.message;
}

/** The stack config's message for the same values (JSON config, as `pulumi config set --path` writes it). */
function configError(config: Loose): string {
    const error = thrownBy(() => parseStackConfig(config));
    assert.ok(pulumi.InputPropertiesError.isInstance(error), String(error));
    return error.message;
}

describe("strict arguments: one schema for stack config and programs", () => {
    for (const [what, args, path, message] of [
        ["registry.passwd", { ...base, registry: { ...docker, passwd: "x" } }, "registry.passwd", /unknown key; did you mean `password`\?/],
        [
            "a top-level pluginConector",
            { ...base, pluginConector: { nodeSelector: {} } },
            "pluginConector",
            /unknown key; did you mean `pluginConnector`\?/,
        ],
        [
            "username on ecr",
            { ...base, registry: { ...ecr, username: "u" } },
            "registry.username",
            /unknown key \(valid: type, region, prefix/,
        ],
        ["password on ecr", { ...base, registry: { ...ecr, password: "p" } }, "registry.password", /unknown key/],
        ["insecure on ecr", { ...base, registry: { ...ecr, insecure: true } }, "registry.insecure", /unknown key/],
        ["adminUserEnabled on acr", { ...base, registry: { ...acr, adminUserEnabled: true } }, "registry.adminUserEnabled", /unknown key/],
        ['createNamespace: "no"', { ...base, createNamespace: "no" }, "createNamespace", /expected boolean, received string/],
        [
            "a nested typo",
            { ...base, pluginConnector: { python: { pipMiror: "x" } } },
            "pluginConnector.python.pipMiror",
            /unknown key; did you mean `pipMirror`\?/,
        ],
        [
            "a number for a string",
            { ...base, chart: { version: "3.9.1", releaseName: 7 } },
            "chart.releaseName",
            /expected string, received number/,
        ],
        [
            "a string for a number",
            { ...base, chart: { version: "3.9.1", timeout: "900" } },
            "chart.timeout",
            /expected number, received string/,
        ],
    ] as const) {
        it(`${what}: refused in a program and in stack config, by path`, async () => {
            const program = await programError(args as Loose);
            assert.match(program, new RegExp(`  - ${path.replace(/\./g, "\\.")}: ${message.source}`));
            const config = configError(args as Loose);
            assert.match(config, new RegExp(`  - ${PROJECT}:${path.replace(/\./g, "\\.")}: ${message.source}`));
        });
    }

    it("Outputs pass the shape check where the type says Input, and are checked when they resolve", async () => {
        const resources = await evaluate(
            () =>
                new DifyPluginRegistry("dify", {
                    registry: {
                        ...docker,
                        server: pulumi.output("ghcr.io"),
                        password: pulumi.secret("pw"),
                    } as DifyPluginRegistryArgs["registry"],
                    chart: { version: "3.9.1" },
                    pluginConnector: { mirrorImages: undefined },
                }),
        );
        assert.ok(resources.some((r) => r.type === "kubernetes:helm.sh/v4:Chart"));
    });

    it("a namespace given as an Output: refused with the reason, not a string of Output's toString()", async () => {
        const msg = await programError({ ...base, namespace: pulumi.output("dify") });
        assert.match(msg, /namespace: must be a plain string, not an Output: the namespace names the Secret/);
        assert.ok(!msg.includes("Calling [toString]"), msg);
    });
});
