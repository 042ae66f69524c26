import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../program/config";
import { runStack } from "../program/main";
import { formatSynth, synthStack } from "../program/offline/synth";
import { OfflineStackConfig } from "../program/offline/stackFile";
import { evaluate } from "./support/evaluate";
import { isSecretValue, redactSecrets, unwrapSecrets, useMocks, resolved } from "./support/mocks";

// Distinctive, so a match anywhere is a leak and not a coincidence.
const PASSWORD = "Sentinel-pw-7f3a9c";
const USERNAME = "robot$leakcheck";

/** Every form the password could leak in: plain, base64 of user:password, base64 of the whole docker config. */
function leakForms(): string[] {
    const auth = Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64");
    return [PASSWORD, auth, Buffer.from(PASSWORD).toString("base64").replace(/=+$/, "")];
}

function assertNoLeak(text: string, where: string): void {
    for (const form of leakForms()) {
        assert.ok(!text.includes(form), `${where} contains the password (as ${JSON.stringify(form)})`);
    }
}

const config: OfflineStackConfig = {
    config: {
        [`${PROJECT}:registry`]: JSON.stringify({
            type: "docker",
            server: "harbor.example.com",
            prefix: "dify",
            username: USERNAME,
            password: PASSWORD,
        }),
        [`${PROJECT}:chart`]: JSON.stringify({ version: "3.9.1" }),
        [`${PROJECT}:pluginConnector`]: JSON.stringify({ imageMirror: "harbor.example.com/mirror" }),
    },
    // Even a password left in plain text in the stack file must come out secret.
    secretKeys: [],
    placeholders: [],
    environments: [],
};

/** Runs `fn` with everything written to stdout and stderr captured (the program's logs). */
async function capturingLogs<T>(fn: () => Promise<T>): Promise<{ result: T; logs: string }> {
    let logs = "";
    const writes = { out: process.stdout.write, err: process.stderr.write };
    const capture = (chunk: unknown) => {
        logs += String(chunk);
        return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
        return { result: await fn(), logs };
    } finally {
        process.stdout.write = writes.out;
        process.stderr.write = writes.err;
    }
}

describe("secrets stay secret", () => {
    afterEach(() => {
        pulumi.runtime.setAllConfig({});
        useMocks();
    });

    it("the password is only inside the Secret's secret-wrapped data: not in other inputs, outputs, logs or synth output", async () => {
        const { result, logs: output } = await capturingLogs(() => synthStack("leakcheck", config));
        const text = formatSynth("leakcheck", config, result);

        const secret = result.resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        assert.ok(isSecretValue(secret.inputs.data), "the Secret's data is secret-wrapped");
        // It really is in there (so the checks below are looking at the right encoding).
        assert.ok(JSON.stringify(unwrapSecrets(secret.inputs.data)).length > 0);
        const decoded = Buffer.from((unwrapSecrets(secret.inputs.data) as Record<string, string>)["config.json"], "base64").toString();
        assert.ok(decoded.includes(leakForms()[1]), "config.json holds base64(user:password)");

        for (const r of result.resources) {
            assertNoLeak(JSON.stringify(redactSecrets(r.inputs)), `inputs of ${r.type} ${r.name} (outside secrets)`);
        }
        assertNoLeak(text, "synth output");
        assertNoLeak(output, "logs");
    });

    it("the push check gets the login secret-wrapped only (its state keeps a hash, test/check.provider.test.ts)", async () => {
        const { result, logs: output } = await capturingLogs(() => synthStack("leakcheck", config));
        const check = result.resources.find((r) => r.name.endsWith("-push-check"));
        assert.ok(check, "the push check is registered by default");
        assert.ok(isSecretValue(check.inputs.auth), "its login is secret-wrapped");
        assert.ok(String(unwrapSecrets(check.inputs.auth)).includes(leakForms()[1]), "and it is the registry's login");
        const { __provider: _serialized, ...inputs } = check.inputs;
        assertNoLeak(JSON.stringify(redactSecrets(inputs)), "push check inputs (outside secrets)");
        assertNoLeak(output, "logs");
    });

    it("no stack output carries the password, and none is needlessly secret", async () => {
        pulumi.runtime.setAllConfig(config.config, []);
        let outputs!: ReturnType<typeof runStack>;
        const { logs: output } = await capturingLogs(() => evaluate(() => (outputs = runStack())));
        for (const [name, out] of Object.entries(outputs)) {
            const value = await resolved(out as pulumi.Output<unknown>);
            assertNoLeak(JSON.stringify(value), `output ${name}`);
            assert.equal(await pulumi.isSecret(out as pulumi.Output<unknown>), false, `output ${name} is not secret`);
        }
        assertNoLeak(output, "logs");
    });
});
