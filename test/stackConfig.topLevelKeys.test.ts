/**
 * Issue 17, item 2: every top-level key of this project's namespace in the stack config is checked against the schema,
 * as the keys inside a block are: a misspelled one is refused by name with the nearest valid key, before anything is
 * created — not silently ignored (`pushcheck: false` left the push check on). Other namespaces are not ours.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, readStackConfig } from "../program/config";
import { runStack } from "../program/main";
import { evaluate, thrownBy } from "./support/evaluate";
import { registered, resetRecorded, settle, useMocks } from "./support/mocks";

const base = {
    [`${PROJECT}:registry`]: JSON.stringify({ type: "docker", server: "harbor.example.com", prefix: "dify", username: "u", password: "p" }),
    [`${PROJECT}:chart`]: JSON.stringify({ version: "3.9.1" }),
};

describe("stack config: misspelled top-level keys", () => {
    afterEach(() => {
        pulumi.runtime.setAllConfig({});
        useMocks();
    });

    for (const [key, value, suggestion] of [
        ["pushcheck", "false", "pushCheck"],
        ["pluginConnecter", JSON.stringify({ nodeSelector: { pool: "plugins" } }), "pluginConnector"],
        ["namepsace", "dify", "namespace"],
        ["kubernets", JSON.stringify({ context: "prod" }), "kubernetes"],
        ["createNamespaces", "false", "createNamespace"],
    ] as const) {
        it(`${PROJECT}:${key}: refused by name with the nearest valid key, nothing registered`, async () => {
            pulumi.runtime.setAllConfig({ ...base, [`${PROJECT}:${key}`]: value });
            resetRecorded();
            const error = thrownBy(() => runStack());
            await settle();
            assert.ok(pulumi.InputPropertiesError.isInstance(error), String(error));
            assert.ok(
                error.message.includes(`  - ${PROJECT}:${key}: unknown key; did you mean \`${suggestion}\`?`),
                `expected ${key} → ${suggestion} in:\n${error.message}`,
            );
            assert.deepEqual(registered(), [], "nothing may be registered");
        });
    }

    it("a key with no near valid key is refused too, listing the valid ones", () => {
        pulumi.runtime.setAllConfig({ ...base, [`${PROJECT}:somethingElse`]: "x" });
        const error = thrownBy(() => readStackConfig());
        assert.match(error.message, /dify-plugin-registry:somethingElse: unknown key \(valid: namespace, createNamespace, registry, chart/);
    });

    it("keys of other namespaces (kubernetes:, aws:) are not ours", async () => {
        pulumi.runtime.setAllConfig({ ...base, "kubernetes:context": "prod", "aws:region": "us-east-1", "pulumi:tags": "{}" });
        const resources = await evaluate(() => runStack());
        assert.ok(resources.some((r) => r.type === "kubernetes:core/v1:Secret"));
    });

    it("pushCheck: false, spelled right, turns the push check off", async () => {
        pulumi.runtime.setAllConfig({ ...base, [`${PROJECT}:pushCheck`]: "false" });
        const resources = await evaluate(() => runStack());
        assert.ok(!resources.some((r) => r.name.endsWith("-push-check")));
    });
});
