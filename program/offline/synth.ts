import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { PROJECT } from "../config";
import { runStack } from "../main";
import { installRecordingMocks, RecordedResource, redactSecrets, registered, resetRecorded, settle } from "./recorder";
import { OfflineStackConfig } from "./stackFile";

/** What evaluating a stack offline produced. */
export interface SynthResult {
    readonly resources: readonly RecordedResource[];
    /** The `plugin_connector` block passed to the chart, secrets redacted. */
    readonly pluginConnector: unknown;
}

/**
 * Evaluates the real stack program with `stack`'s config under recording mocks (preview mode): no engine, cloud or
 * cluster. Throws the program's own validation errors.
 */
export async function synthStack(stack: string, file: OfflineStackConfig): Promise<SynthResult> {
    installRecordingMocks(PROJECT, stack, { preview: true });
    resetRecorded();
    pulumi.runtime.setAllConfig(file.config, file.secretKeys);
    let failure: unknown;
    const onRejection = (err: unknown) => (failure ??= err);
    process.on("unhandledRejection", onRejection);
    try {
        runStack();
        await settle();
    } finally {
        process.off("unhandledRejection", onRejection);
    }
    if (failure !== undefined) {
        throw failure;
    }
    const resources = registered();
    const chart = resources.find((r) => r.type.startsWith("kubernetes:helm.sh/"));
    const values = redactSecrets(chart?.inputs.values) as { plugin_connector?: unknown } | undefined;
    return { resources, pluginConnector: values?.plugin_connector };
}

/** A readable report: each resource with its key inputs, then `plugin_connector` as YAML. Secrets are redacted. */
export function formatSynth(stack: string, file: OfflineStackConfig, result: SynthResult): string {
    const lines: string[] = [`Stack "${stack}": ${result.resources.length} resources would be created.`];
    for (const note of notes(file)) {
        lines.push(`note: ${note}`);
    }
    for (const r of result.resources) {
        lines.push("", `${r.type}  ${r.name}${r.parent ? `  (parent ${r.parent})` : ""}`);
        const inputs = keyInputs(r);
        if (Object.keys(inputs).length > 0) {
            lines.push(indent(YAML.stringify(redactSecrets(inputs), { lineWidth: 0 }).trimEnd(), 4));
        }
    }
    // Unknown offline when it depends on something created during the update (a registry host a dynamic resource looks up).
    const connector =
        result.pluginConnector === undefined
            ? "(not known before the update)"
            : YAML.stringify(result.pluginConnector, { lineWidth: 0 }).trimEnd();
    lines.push("", "plugin_connector:", indent(connector, 2));
    return `${lines.join("\n")}\n`;
}

function notes(file: OfflineStackConfig): string[] {
    const out: string[] = [];
    if (file.placeholders.length > 0) {
        out.push(`secure values shown as placeholders (not decrypted offline): ${file.placeholders.join(", ")}`);
    }
    if (file.environments.length > 0) {
        out.push(`Pulumi ESC environments are not read offline: ${file.environments.join(", ")}`);
    }
    return out;
}

// The chart's values are printed once, as plugin_connector; apiVersion/kind repeat the type.
function keyInputs(r: RecordedResource): Record<string, unknown> {
    const { values, apiVersion: _a, kind: _k, __provider, ...rest } = r.inputs as Record<string, unknown>;
    // A dynamic resource's provider is serialized JavaScript: its size says enough.
    const shown =
        __provider === undefined ? rest : { ...rest, __provider: `(serialized dynamic provider, ${String(__provider).length} characters)` };
    return values === undefined ? shown : { ...shown, values: "(see plugin_connector below; other chart values as given)" };
}

function indent(text: string, n: number): string {
    return text
        .split("\n")
        .map((l) => " ".repeat(n) + l)
        .join("\n");
}
