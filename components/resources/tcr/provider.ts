/**
 * Dynamic providers for what the TCR kind manages in an existing TCR Enterprise instance: the namespace plugin images go
 * to, and a long-term instance access token to push them. There is no Tencent Cloud Pulumi provider on npm, so these
 * call the TCR API through `tencentcloud-sdk-nodejs`.
 *
 * Pulumi serializes each provider with everything it references and runs it in the engine's dynamic-provider process:
 * keep them free of module state and of non-serializable captures (`test/tcr.provider.test.ts` runs the serialized text).
 */
import type * as pulumi from "@pulumi/pulumi";
import { parseApiEndpoint, TcrApi, tcrApi } from "../../../engines/tcr";

/** How the providers reach the API; both credentials unset = the `TENCENTCLOUD_*` environment variables at run time. */
export interface TcrConnection {
    readonly instanceId: string;
    readonly region: string;
    readonly apiEndpoint?: string;
    readonly secretId?: string;
    readonly secretKey?: string;
}

/** Inputs of {@link tcrNamespaceProvider}: the connection and the namespace name. */
export interface TcrNamespaceInputs extends TcrConnection {
    readonly namespace: string;
}

/** State of a namespace: its inputs, the instance's domain and name, and whether it was created here. */
export interface TcrNamespaceOutputs extends TcrNamespaceInputs {
    /** The instance's `PublicDomain` (DescribeInstances): `<instance-name>.tencentcloudcr.com`. */
    readonly domain: string;
    readonly instanceName: string;
    /** False when the namespace existed before: it is then left in place on delete. */
    readonly created: boolean;
}

/** Inputs of {@link tcrTokenProvider}: the connection and the token's description. */
export interface TcrTokenInputs extends TcrConnection {
    /** The token's description in the TCR console (`Desc`). */
    readonly description: string;
}

/** State of a token: its inputs, its id, the docker login, and whether it is enabled. */
export interface TcrTokenOutputs extends TcrTokenInputs {
    readonly tokenId: string;
    /** Docker user: the Tencent Cloud account (UIN) whose credentials created the token. */
    readonly username: string;
    /** Docker password. Secret (`additionalSecretOutputs`). */
    readonly token: string;
    readonly enabled: boolean;
}

// Changing where the thing lives means a new one; credentials and endpoint only change how it is reached.
const CONNECTION_KEYS = ["apiEndpoint", "secretId", "secretKey"] as const;

function apiFor(c: TcrConnection): TcrApi {
    return tcrApi({ region: c.region, secretId: c.secretId, secretKey: c.secretKey, ...parseApiEndpoint(c.apiEndpoint) });
}

function diffOn(replaceKeys: readonly string[], olds: Record<string, unknown>, news: Record<string, unknown>): pulumi.dynamic.DiffResult {
    const replaces = replaceKeys.filter((k) => olds[k] !== news[k]);
    const changes = replaces.length > 0 || CONNECTION_KEYS.some((k) => olds[k] !== news[k]);
    return { changes, replaces };
}

/** The old outputs with the new connection settings (a removed credential is removed, not kept from the old state). */
function reconnect<T extends TcrConnection>(olds: T, news: TcrConnection): T {
    const outs: Record<string, unknown> = { ...(olds as object) };
    for (const key of CONNECTION_KEYS) {
        if (news[key] === undefined) {
            delete outs[key];
        } else {
            outs[key] = news[key];
        }
    }
    return outs as T;
}

async function requireInstance(api: TcrApi, c: TcrConnection): Promise<{ name: string; publicDomain: string }> {
    const instance = await api.describeInstance(c.instanceId);
    if (!instance) {
        throw new Error(`TCR instance ${c.instanceId} was not found in region ${c.region}: check registry.instanceId and registry.region`);
    }
    if (!instance.publicDomain) {
        throw new Error(`TCR instance ${c.instanceId} (${instance.name}, status ${instance.status}) has no public domain yet`);
    }
    return instance;
}

/** The namespace, created private when missing; adopted (and then never deleted) when it exists. */
export const tcrNamespaceProvider: pulumi.dynamic.ResourceProvider<TcrNamespaceInputs, TcrNamespaceOutputs> = {
    async create(inputs) {
        const api = apiFor(inputs);
        const instance = await requireInstance(api, inputs);
        const existed = await api.namespaceExists(inputs.instanceId, inputs.namespace);
        if (!existed) {
            await api.createNamespace(inputs.instanceId, inputs.namespace);
        }
        return {
            id: `${inputs.instanceId}/${inputs.namespace}`,
            outs: { ...inputs, domain: instance.publicDomain, instanceName: instance.name, created: !existed },
        };
    },

    async read(id, props) {
        const api = apiFor(props!);
        const instance = await api.describeInstance(props!.instanceId);
        if (!instance || !(await api.namespaceExists(props!.instanceId, props!.namespace))) {
            return { id: "", props: {} as TcrNamespaceOutputs }; // gone: refresh drops it from the state
        }
        return { id, props: { ...props!, domain: instance.publicDomain, instanceName: instance.name } };
    },

    async diff(_id, olds, news) {
        return diffOn(["instanceId", "region", "namespace"], olds as never, news as never);
    },

    async update(_id, olds, news) {
        return { outs: reconnect(olds, news) };
    },

    async delete(_id, props) {
        if (props.created) {
            await apiFor(props).deleteNamespace(props.instanceId, props.namespace);
        }
    },
};

/** A long-term instance access token; replaced (new one first, then the old one deleted) when `description` changes. */
export const tcrTokenProvider: pulumi.dynamic.ResourceProvider<TcrTokenInputs, TcrTokenOutputs> = {
    async create(inputs) {
        const token = await apiFor(inputs).createLongTermToken(inputs.instanceId, inputs.description);
        return {
            id: `${inputs.instanceId}/${token.tokenId}`,
            outs: { ...inputs, tokenId: token.tokenId, username: token.username, token: token.token, enabled: true },
        };
    },

    async read(id, props) {
        const info = await apiFor(props!).describeToken(props!.instanceId, props!.tokenId);
        if (!info) {
            return { id: "", props: {} as TcrTokenOutputs };
        }
        // The token value is never returned again: it stays as created.
        return { id, props: { ...props!, enabled: info.enabled } };
    },

    async diff(_id, olds, news) {
        return diffOn(["instanceId", "region", "description"], olds as never, news as never);
    },

    async update(_id, olds, news) {
        return { outs: reconnect(olds, news) };
    },

    async delete(_id, props) {
        await apiFor(props).deleteToken(props.instanceId, props.tokenId);
    },
};
