/**
 * The multi-language face's arguments, mapped onto the TypeScript API's. Pulumi schemas cannot state a discriminated
 * union, so `registry: { type: "docker", … }` becomes one optional block per kind (`docker: { … }`), exactly one set;
 * everything else has the same name and shape as in `DifyPluginRegistryArgs`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DifyPluginRegistryArgs } from "../components/args";
import type { RegistryArgs } from "../components/registries";
import { registryBlockNames } from "./schema";

/** Inputs of `dify-plugin-registry:index:PluginRegistry`, as they arrive in `Construct` (Outputs already resolved). */
export interface MultiLanguageArgs {
    /** As `DifyPluginRegistryArgs.namespace`. */
    readonly namespace?: string;
    /** As `DifyPluginRegistryArgs.createNamespace`. */
    readonly createNamespace?: boolean;
    /** As `DifyPluginRegistryArgs.chart`. */
    readonly chart?: DifyPluginRegistryArgs["chart"];
    /** As `DifyPluginRegistryArgs.pluginConnector`. */
    readonly pluginConnector?: DifyPluginRegistryArgs["pluginConnector"];
    /** `{ enabled, auth, caFile }`: `enabled: false` is `pushCheck: false`, `enabled: true` alone is `true`, else `{ auth, caFile }`. */
    readonly pushCheck?: { readonly enabled?: boolean; readonly auth?: pulumi.Input<string>; readonly caFile?: string };
    /** One block per registry kind (`docker`, `dockerhub`, `ecr`, `acr`, `aliyun`, `tcr`): the kind's options without `type`. */
    readonly [block: string]: unknown;
}

const COMMON_KEYS = ["namespace", "createNamespace", "chart", "pluginConnector", "pushCheck"];

/** TypeScript's `pushCheck: boolean | { auth, caFile }` from the schema's one object. */
function pushCheckOf(given: MultiLanguageArgs["pushCheck"]): DifyPluginRegistryArgs["pushCheck"] {
    if (given === undefined || given === null) {
        return undefined;
    }
    const { enabled, ...settings } = given;
    if (enabled === false) {
        return false;
    }
    return Object.keys(settings).length === 0 ? (enabled === true ? true : undefined) : settings;
}

/**
 * `DifyPluginRegistryArgs` for the multi-language inputs: the one registry block set becomes `registry` with its
 * `type`. No block, two blocks, a `registry` property or an unknown property raise `pulumi.InputPropertiesError`
 * naming the blocks, as the component's own checks do; the component then validates the rest.
 */
export function toDifyPluginRegistryArgs(name: string, inputs: MultiLanguageArgs): DifyPluginRegistryArgs {
    const blocks = registryBlockNames();
    const list = blocks.map((b) => `\`${b}\``).join(", ");
    const problems: pulumi.InputPropertyErrorDetails[] = [];
    const given = blocks.filter((b) => inputs[b] !== undefined && inputs[b] !== null);
    if (given.length === 0) {
        problems.push({ propertyPath: "registry", reason: `set exactly one registry block: ${list}; none is set` });
    } else if (given.length > 1) {
        problems.push({
            propertyPath: given[1],
            reason: `set exactly one registry block: ${list}; ${given.map((b) => `\`${b}\``).join(" and ")} are set`,
        });
    }
    for (const key of Object.keys(inputs)) {
        if (key === "registry") {
            problems.push({
                propertyPath: key,
                reason: `there is no \`registry\` property here: set one registry block instead (${list})`,
            });
        } else if (!COMMON_KEYS.includes(key) && !blocks.includes(key)) {
            problems.push({ propertyPath: key, reason: "unknown property" });
        }
    }
    for (const block of given) {
        const value = inputs[block];
        if (typeof value !== "object" || Array.isArray(value)) {
            problems.push({ propertyPath: block, reason: "must be an object with the registry's options" });
        }
    }
    if (problems.length > 0) {
        const lines = problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`);
        throw new pulumi.InputPropertiesError({
            message: `DifyPluginRegistry "${name}" has invalid arguments:\n${lines.join("\n")}`,
            errors: problems,
        });
    }
    const type = given[0];
    const registry = { ...(inputs[type] as object), type } as RegistryArgs;
    return {
        ...(inputs.namespace !== undefined ? { namespace: inputs.namespace } : {}),
        ...(inputs.createNamespace !== undefined ? { createNamespace: inputs.createNamespace } : {}),
        registry,
        chart: inputs.chart as DifyPluginRegistryArgs["chart"],
        ...(inputs.pluginConnector !== undefined ? { pluginConnector: inputs.pluginConnector } : {}),
        ...(pushCheckOf(inputs.pushCheck) !== undefined ? { pushCheck: pushCheckOf(inputs.pushCheck) } : {}),
    };
}
