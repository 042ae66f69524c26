/**
 * The custom resources the package's provider serves: the push check, the image mirror and the TCR namespace and
 * token under this package's tokens (`components/resources/host.ts`), for the component when the provider constructs
 * it. One implementation, two hosts: CRUD goes to the very provider objects the dynamic resources use
 * (`components/resources/<name>/provider.ts`), so the behaviour and the state are the same.
 *
 * The dynamic-provider host tells its providers it takes no secrets, so they are given plain values. This provider
 * takes secrets (`configure` of `@pulumi/pulumi/provider/server`): each arrives as the SDK's secret envelope, which is
 * unwrapped before the provider object sees it; on the way back, the resource's secret outputs and every output whose
 * input was secret are wrapped again, so nothing secret reaches the state in plain text.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PACKAGE_RESOURCE_TOKENS } from "../components/resources/host";
import { imageMirrorProvider } from "../components/resources/imageMirror/provider";
import { registryPushCheckProvider } from "../components/resources/pushCheck/provider";
import { tcrNamespaceProvider, tcrTokenProvider } from "../components/resources/tcr/provider";

/** One served resource type: its provider object and the outputs that are always secret. */
export interface ServedResource {
    readonly provider: pulumi.dynamic.ResourceProvider;
    readonly secretOutputs: readonly string[];
}

/** Every type this provider serves, by token; the secret outputs are the dynamic resources' `additionalSecretOutputs`. */
export const SERVED_RESOURCES: Readonly<Record<string, ServedResource>> = {
    [PACKAGE_RESOURCE_TOKENS.pushCheck]: { provider: registryPushCheckProvider, secretOutputs: ["loginHash", "salt"] },
    [PACKAGE_RESOURCE_TOKENS.imageMirror]: { provider: imageMirrorProvider, secretOutputs: [] },
    [PACKAGE_RESOURCE_TOKENS.tcrNamespace]: { provider: tcrNamespaceProvider, secretOutputs: ["secretId", "secretKey"] },
    [PACKAGE_RESOURCE_TOKENS.tcrToken]: { provider: tcrTokenProvider, secretOutputs: ["token", "secretId", "secretKey"] },
};

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** A secret as the engine sends it to, and takes it from, a provider that accepts secrets. */
export function secretEnvelope(value: unknown): Record<string, unknown> {
    return { [SECRET_SIG]: SECRET_SIG_VALUE, value };
}

const isEnvelope = (v: unknown): v is { value: unknown } =>
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === SECRET_SIG_VALUE;

function unwrapValue(value: unknown): { value: unknown; secret: boolean } {
    if (isEnvelope(value)) {
        return { value: unwrapValue(value.value).value, secret: true };
    }
    if (Array.isArray(value)) {
        const items = value.map(unwrapValue);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value).map(([k, v]) => [k, unwrapValue(v)] as const);
        return {
            value: Object.fromEntries(entries.map(([k, v]) => [k, v.value])),
            secret: entries.some(([, v]) => v.secret),
        };
    }
    return { value, secret: false };
}

/**
 * The properties with every secret envelope removed, and the top-level keys that held a secret anywhere inside (a
 * secret nested in a value makes the whole value secret on the way out: the provider objects return whole values).
 */
export function unwrapSecrets(props: Record<string, unknown> | undefined): {
    readonly values: Record<string, any>;
    readonly secretKeys: ReadonlySet<string>;
} {
    const values: Record<string, any> = {};
    const secretKeys = new Set<string>();
    for (const [key, raw] of Object.entries(props ?? {})) {
        const { value, secret } = unwrapValue(raw);
        values[key] = value;
        if (secret) secretKeys.add(key);
    }
    return { values, secretKeys };
}

/** `props` with each key of `secretKeys` (that it has) wrapped as a secret. */
export function wrapSecrets(props: Record<string, any> | undefined, secretKeys: Iterable<string>): Record<string, any> | undefined {
    if (props === undefined) return undefined;
    const out: Record<string, any> = { ...props };
    for (const key of secretKeys) {
        if (out[key] !== undefined && !isEnvelope(out[key])) out[key] = secretEnvelope(out[key]);
    }
    return out;
}

/** `urn:pulumi:<stack>::<project>::<parent types$>type::<name>` → `type`. */
export function typeOfUrn(urn: string): string {
    const qualified = urn.split("::")[2] ?? "";
    return qualified.slice(qualified.lastIndexOf("$") + 1);
}

function served(urn: string): ServedResource {
    const type = typeOfUrn(urn);
    const resource = SERVED_RESOURCES[type];
    if (!resource) {
        throw new Error(`unknown resource type ${type}; this provider serves ${Object.keys(SERVED_RESOURCES).join(", ")}`);
    }
    return resource;
}

type Crud = Required<Pick<pulumi.provider.Provider, "check" | "diff" | "create" | "read" | "update" | "delete">>;

/** Check, Diff, Create, Read, Update and Delete of the served types, for `pulumi.provider.Provider`. */
export function customResourceHandlers(): Crud {
    return {
        async check(urn, olds, news) {
            const { provider } = served(urn);
            const n = unwrapSecrets(news);
            if (!provider.check) return { inputs: news, failures: [] };
            const result = await provider.check(unwrapSecrets(olds).values, n.values);
            // The inputs go back with the secrets they came with.
            return { inputs: wrapSecrets(result.inputs ?? n.values, n.secretKeys), failures: [...(result.failures ?? [])] };
        },

        async diff(id, urn, olds, news) {
            const { provider } = served(urn);
            if (!provider.diff) return {};
            return provider.diff(id, unwrapSecrets(olds).values, unwrapSecrets(news).values);
        },

        async create(urn, inputs) {
            const resource = served(urn);
            const ins = unwrapSecrets(inputs);
            const result = await resource.provider.create(ins.values);
            return { id: result.id, outs: wrapSecrets(result.outs, [...resource.secretOutputs, ...ins.secretKeys]) };
        },

        async read(id, urn, props) {
            const resource = served(urn);
            const state = unwrapSecrets(props);
            if (!resource.provider.read) return { id, props };
            const result = await resource.provider.read(id, state.values);
            return {
                id: result.id,
                props: wrapSecrets(result.props, [...resource.secretOutputs, ...state.secretKeys]),
            };
        },

        async update(id, urn, olds, news) {
            const resource = served(urn);
            const n = unwrapSecrets(news);
            if (!resource.provider.update) return { outs: news };
            const result = await resource.provider.update(id, unwrapSecrets(olds).values, n.values);
            return { outs: wrapSecrets(result.outs, [...resource.secretOutputs, ...n.secretKeys]) };
        },

        async delete(id, urn, props) {
            const { provider } = served(urn);
            await provider.delete?.(id, unwrapSecrets(props).values);
        },
    };
}
