import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { PROJECT } from "../config";
import { runStack } from "../main";
import { upNeeds, UpNeeds } from "./needs";
import {
    installRecordingMocks,
    isSecretValue,
    mockIdsGiven,
    RecordedResource,
    redactSecrets,
    registered,
    resetRecorded,
    settle,
} from "./recorder";
import { OfflineStackConfig } from "./stackFile";

/** What evaluating a stack offline produced. */
export interface SynthResult {
    readonly resources: readonly RecordedResource[];
    /** The `plugin_connector` block passed to the chart, secrets redacted. */
    readonly pluginConnector: unknown;
    /** Ids the mocks made up → `type::name` of the resources given them (the cloud assigns the real ones). */
    readonly mockIds: ReadonlyMap<string, readonly string[]>;
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
    return { resources, pluginConnector: values?.plugin_connector, mockIds: mockIdsGiven() };
}

/** What `npm run synth` prints, as data: the same YAML document, parsed. */
export interface SynthReport {
    readonly stack: string;
    readonly notes?: readonly string[];
    readonly resources: readonly { type: string; name: string; parent?: string; inputs?: Record<string, unknown> }[];
    /** Every value the chart is given, the component's `plugin_connector` block included; secrets `[secret]`. */
    readonly "chart values": unknown;
    readonly "pulumi up will need": UpNeeds;
}

/** Stands for a value computed during `pulumi up` (an unknown of the preview). */
export const KNOWN_AFTER_UP = "(known after up)";
/** Stands for a secret; never its text. */
export const SECRET_MASK = "[secret]";

/**
 * The report: each resource with its inputs, every chart value, then what `pulumi up` will need. Unknowns read
 * `(known after up)`, ids the mocks made up say so, secrets are `[secret]`, and the program's internals (a dynamic
 * provider's serialized code, its timing knobs) are left out.
 */
export function synthReport(stack: string, file: OfflineStackConfig, result: SynthResult): SynthReport {
    const notes: string[] = [];
    if (file.placeholders.length > 0) {
        notes.push(`secure values shown as placeholders (not decrypted offline): ${file.placeholders.join(", ")}`);
    }
    if (file.environments.length > 0) {
        notes.push(`Pulumi ESC environments are not read offline: ${file.environments.join(", ")}`);
    }
    const used = new Set<string>();
    const show = (value: unknown, masking: Masking) => present(value, result.mockIds, masking, used);
    const chart = result.resources.find((r) => r.type.startsWith("kubernetes:helm.sh/"));
    const resources = result.resources.map((r) => {
        const inputs = show(shownInputs(r), "whole") as Record<string, unknown>;
        return {
            type: r.type,
            name: r.name,
            ...(r.parent ? { parent: r.parent } : {}),
            ...(Object.keys(inputs).length > 0 ? { inputs } : {}),
        };
    });
    // The keys of a secret block stay visible (which values the chart gets), each value masked.
    const chartValues = chart === undefined ? {} : show(chart.inputs.values ?? {}, "leaves");
    if (used.size > 0) {
        notes.push("(mock id of <resource>) stands for an id the cloud assigns during up: offline there is none");
    }
    return {
        stack,
        ...(notes.length > 0 ? { notes } : {}),
        resources,
        "chart values": chartValues,
        "pulumi up will need": upNeeds(stack, file, result.resources),
    };
}

/** The report as printed: a YAML document, a comment line first. */
export function formatSynth(stack: string, file: OfflineStackConfig, result: SynthResult): string {
    const n = result.resources.length;
    const header =
        `# Stack "${stack}": ${n} resource${n === 1 ? "" : "s"} would be created (evaluated offline: no Pulumi CLI, cloud ` +
        "or cluster was contacted).\n";
    return header + YAML.stringify(synthReport(stack, file, result), { lineWidth: 0 });
}

// Inputs that are the program's machinery, not what the resource is: a dynamic provider's serialized code and the
// push check's retry window. apiVersion/kind repeat the type; chart values are shown once, in their own section.
const HIDDEN_INPUTS = new Set(["apiVersion", "kind", "settleMs"]);
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";

function shownInputs(r: RecordedResource): Record<string, unknown> {
    const shown: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(r.inputs)) {
        if (key.startsWith("__") || (HIDDEN_INPUTS.has(key) && (key !== "settleMs" || r.type === DYNAMIC))) continue;
        shown[key] = key === "values" && r.type.startsWith("kubernetes:helm.sh/") ? "(see chart values below)" : value;
    }
    return shown;
}

/** `whole`: a secret is one `[secret]`. `leaves`: its keys stay, every value in it is `[secret]`. */
type Masking = "whole" | "leaves";

function present(value: unknown, mockIds: ReadonlyMap<string, readonly string[]>, masking: Masking, used: Set<string>): unknown {
    if (isSecretValue(value)) {
        return masking === "whole" ? SECRET_MASK : maskLeaves(value.value);
    }
    if (isUnknown(value)) {
        return KNOWN_AFTER_UP;
    }
    if (typeof value === "string") {
        const owners = mockIds.get(value);
        if (owners !== undefined) {
            used.add(value);
            return `(mock id of ${ownerOf(owners)}: ${KNOWN_AFTER_UP.slice(1, -1)})`;
        }
        let text = value;
        for (const [id, of] of mockIds) {
            if (!text.includes(id)) continue;
            used.add(id);
            text = text.split(id).join(`<mock id of ${ownerOf(of)}>`);
        }
        return text;
    }
    if (Array.isArray(value)) {
        return value.map((v) => present(v, mockIds, masking, used));
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, present(v, mockIds, masking, used)]));
    }
    return value;
}

/** `type::name` of the one resource an id was made up for; the name alone when several share it. */
function ownerOf(owners: readonly string[]): string {
    return owners.length === 1 ? owners[0] : owners[0].slice(owners[0].lastIndexOf("::") + 2);
}

function maskLeaves(value: unknown): unknown {
    if (isSecretValue(value)) return maskLeaves(value.value);
    if (Array.isArray(value)) return value.map(maskLeaves);
    if (typeof value === "object" && value !== null && !isUnknown(value)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskLeaves(v)]));
    }
    return SECRET_MASK;
}

/** An unknown of the preview, as the mocks deserialize it (`pulumi.Unknown`). */
function isUnknown(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { __pulumiUnknown?: unknown }).__pulumiUnknown === true;
}
