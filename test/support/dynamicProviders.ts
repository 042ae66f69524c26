/**
 * Plays the engine's part for Pulumi dynamic resources under the shared recording mocks: the provider registered in
 * the `__provider` input (the text Pulumi's closure serialization produced) is loaded the way the engine's
 * dynamic-provider process loads it, and its `create` really runs (against a test server). Nothing else is replaced.
 */
import Module from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { additionalSecretOutputsOf, answerResource, stopAnswering, unwrapSecrets } from "../../program/offline/recorder";

/** What Pulumi registers every dynamic resource as (no module or type given). */
export const DYNAMIC_TYPE = "pulumi-nodejs:dynamic:Resource";

/**
 * Loads serialized provider text as the engine does (`require-from-string` with no file name, so `require` resolves
 * from the working directory: the project, where `tencentcloud-sdk-nodejs` is installed).
 */
export function loadSerializedProvider<I = any, O = any>(text: string): pulumi.dynamic.ResourceProvider<I, O> {
    const NodeModule = Module as unknown as {
        new (id: string, parent?: unknown): { paths: string[]; exports: any; _compile(code: string, filename: string): void };
        _nodeModulePaths(dir: string): string[];
    };
    const m = new NodeModule("", undefined);
    m.paths = NodeModule._nodeModulePaths(process.cwd());
    m._compile(text, "");
    return m.exports.handler();
}

export interface CreatedDynamicResource {
    readonly name: string;
    readonly id: string;
    /** The outputs as the provider returned them (before secret marking). */
    readonly outs: Record<string, unknown>;
}

/**
 * From now on, dynamic resources are created by their own serialized provider, given their inputs without secret
 * wrappers (as the engine gives them: dynamic providers do not accept secrets); outputs named in
 * `additionalSecretOutputs` come back secret, as the engine returns them. Resources `skip` names are recorded with their
 * inputs as state, their provider not run (one under test elsewhere, e.g. the push check against a fake cloud API that
 * is no registry). Call `stop()` when done.
 */
export function runDynamicProviders(options: { readonly skip?: (name: string) => boolean } = {}): {
    readonly created: CreatedDynamicResource[];
    stop(): void;
} {
    const created: CreatedDynamicResource[] = [];
    answerResource(DYNAMIC_TYPE, async (args) => {
        if (options.skip?.(args.name)) return { id: `${args.name}-id` };
        const props = unwrapSecrets(args.inputs) as Record<string, unknown>;
        const provider = loadSerializedProvider(String(props.__provider));
        const result = await provider.create(props);
        created.push({ name: args.name, id: result.id, outs: result.outs ?? {} });
        const secret = additionalSecretOutputsOf(args.type, args.name);
        const state = Object.fromEntries(
            Object.entries(result.outs ?? {}).map(([k, v]) => [
                k,
                secret.includes(k) ? { [specialSigKey]: specialSecretSig, value: v } : v,
            ]),
        );
        return { id: result.id, state };
    });
    return { created, stop: () => stopAnswering(DYNAMIC_TYPE) };
}
