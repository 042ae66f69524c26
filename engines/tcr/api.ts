/**
 * A thin wrapper over the TCR client of `tencentcloud-sdk-nodejs` (API version 2019-09-24), for the dynamic providers.
 *
 * Pulumi serializes the providers, and with them these functions, into the state; `pulumi up` runs them in another
 * process. So: no module-level state, and the SDK is required inside the functions (only the TCR service, not the
 * whole SDK, which loads every Tencent Cloud service).
 */
import type { Client } from "tencentcloud-sdk-nodejs/tencentcloud/services/tcr/v20190924/tcr_client";

/** How to reach the TCR API. */
export interface TcrApiOptions {
    /** Region of the instance, e.g. `ap-guangzhou`: TCR's API is regional. */
    readonly region: string;
    /** API credentials; both unset = the provider process's `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY`. */
    readonly secretId?: string;
    readonly secretKey?: string;
    /** `host[:port]` of the API. Default `tcr.tencentcloudapi.com`. */
    readonly endpoint?: string;
    /** `https://` (default) or `http://` (a loopback test server only). */
    readonly protocol?: "https://" | "http://";
}

/** The part of an instance description the providers use. */
export interface TcrInstance {
    readonly registryId: string;
    readonly name: string;
    /** Where `docker login` goes: `<instance-name>.tencentcloudcr.com`. */
    readonly publicDomain: string;
    readonly status: string;
}

/** A long-term instance access token as created: `username` + `token` are a docker login. */
export interface TcrToken {
    readonly tokenId: string;
    readonly username: string;
    readonly token: string;
    /** Expiry as returned by the API (a timestamp; long-term tokens do not expire). */
    readonly expiresAt?: number;
}

/** A long-term token as listed (the token itself is never returned again). */
export interface TcrTokenInfo {
    readonly tokenId: string;
    readonly description: string;
    readonly enabled: boolean;
}

/** The TCR API calls the dynamic providers make; errors name the action, the API's code and the request id. */
export interface TcrApi {
    /** DescribeInstances: the instance, or undefined when there is none with this id in the region. */
    describeInstance(registryId: string): Promise<TcrInstance | undefined>;
    /** DescribeNamespaces filtered by name (the filter is a substring match: the name is compared exactly here). */
    namespaceExists(registryId: string, name: string): Promise<boolean>;
    /** CreateNamespace, private. */
    createNamespace(registryId: string, name: string): Promise<void>;
    /** DeleteNamespace; false when it was already gone. */
    deleteNamespace(registryId: string, name: string): Promise<boolean>;
    /** CreateInstanceToken with `TokenType: longterm`. */
    createLongTermToken(registryId: string, description: string): Promise<TcrToken>;
    /** DescribeInstanceToken, every page, looking for `tokenId`. */
    describeToken(registryId: string, tokenId: string): Promise<TcrTokenInfo | undefined>;
    /** DeleteInstanceToken; false when it was already gone. */
    deleteToken(registryId: string, tokenId: string): Promise<boolean>;
}

/** Splits `apiEndpoint` (`tcr.intl.tencentcloudapi.com`, `https://…`, `http://127.0.0.1:8080`) for the SDK. */
export function parseApiEndpoint(apiEndpoint: string | undefined): { endpoint: string; protocol: "https://" | "http://" } {
    if (apiEndpoint === undefined || apiEndpoint === "") {
        return { endpoint: "tcr.tencentcloudapi.com", protocol: "https://" };
    }
    const match = /^(https?:\/\/)?([^/]+)\/?$/.exec(apiEndpoint);
    if (!match) {
        throw new Error(`TCR API endpoint "${apiEndpoint}" is not [https://]host[:port]`);
    }
    return { endpoint: match[2], protocol: (match[1] ?? "https://") as "https://" | "http://" };
}

/** A client for `options`. Fails with the variables to set when no credentials are available. */
export function tcrApi(options: TcrApiOptions): TcrApi {
    const { tcr } =
        require("tencentcloud-sdk-nodejs/tencentcloud/services/tcr") as typeof import("tencentcloud-sdk-nodejs/tencentcloud/services/tcr");
    const { EnvironmentVariableCredential } =
        require("tencentcloud-sdk-nodejs/tencentcloud/common/credential") as typeof import("tencentcloud-sdk-nodejs/tencentcloud/common/credential");

    const explicit = options.secretId !== undefined || options.secretKey !== undefined;
    if (explicit ? !options.secretId || !options.secretKey : !process.env.TENCENTCLOUD_SECRET_ID || !process.env.TENCENTCLOUD_SECRET_KEY) {
        throw new Error(
            explicit
                ? "TCR API credentials are incomplete: registry.secretId and registry.secretKey go together"
                : "no TCR API credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_SESSION_TOKEN " +
                      "for temporary credentials) for `pulumi up`/`refresh`/`destroy`, or give registry.secretId and registry.secretKey",
        );
    }
    const client: Client = new tcr.v20190924.Client({
        // The SDK's own environment credential also picks up TENCENTCLOUD_SESSION_TOKEN.
        credential: explicit ? { secretId: options.secretId, secretKey: options.secretKey } : new EnvironmentVariableCredential(),
        region: options.region,
        profile: {
            httpProfile: {
                endpoint: options.endpoint ?? "tcr.tencentcloudapi.com",
                protocol: options.protocol ?? "https://",
                reqTimeout: 30,
            },
        },
    });

    // Every call names the action in its error, with the API's code and request id for Tencent Cloud support.
    async function call<T>(action: string, request: () => Promise<T>): Promise<T> {
        try {
            return await request();
        } catch (err) {
            const e = err as { code?: string; message?: string; requestId?: string };
            const wrapped = new Error(
                `TCR ${action} failed: ${e.code ? `${e.code}: ` : ""}${e.message ?? String(err)}${e.requestId ? ` (RequestId ${e.requestId})` : ""}`,
            );
            (wrapped as Error & { code?: string }).code = e.code;
            throw wrapped;
        }
    }
    const notFound = (err: unknown) => /^ResourceNotFound/.test((err as { code?: string }).code ?? "");

    return {
        async describeInstance(registryId) {
            try {
                const res = await call("DescribeInstances", () => client.DescribeInstances({ Registryids: [registryId] }));
                const found = (res.Registries ?? []).find((r) => r.RegistryId === registryId);
                return found
                    ? { registryId, name: found.RegistryName ?? "", publicDomain: found.PublicDomain ?? "", status: found.Status ?? "" }
                    : undefined;
            } catch (err) {
                if (notFound(err)) {
                    return undefined;
                }
                throw err;
            }
        },

        async namespaceExists(registryId, name) {
            try {
                const res = await call("DescribeNamespaces", () =>
                    client.DescribeNamespaces({ RegistryId: registryId, NamespaceName: name, Limit: 100 }),
                );
                return (res.NamespaceList ?? []).some((ns) => ns.Name === name);
            } catch (err) {
                if (notFound(err)) {
                    return false;
                }
                throw err;
            }
        },

        async createNamespace(registryId, name) {
            await call("CreateNamespace", () => client.CreateNamespace({ RegistryId: registryId, NamespaceName: name, IsPublic: false }));
        },

        async deleteNamespace(registryId, name) {
            try {
                await call("DeleteNamespace", () => client.DeleteNamespace({ RegistryId: registryId, NamespaceName: name }));
                return true;
            } catch (err) {
                if (notFound(err)) {
                    return false;
                }
                throw err;
            }
        },

        async createLongTermToken(registryId, description) {
            const res = await call("CreateInstanceToken", () =>
                client.CreateInstanceToken({ RegistryId: registryId, TokenType: "longterm", Desc: description }),
            );
            if (!res.TokenId || !res.Username || !res.Token) {
                throw new Error(`TCR CreateInstanceToken returned no long-term token for ${registryId} (RequestId ${res.RequestId})`);
            }
            return { tokenId: res.TokenId, username: res.Username, token: res.Token, expiresAt: res.ExpTime };
        },

        async describeToken(registryId, tokenId) {
            const limit = 100;
            for (let offset = 0; ; offset += limit) {
                const res = await call("DescribeInstanceToken", () =>
                    client.DescribeInstanceToken({ RegistryId: registryId, Limit: limit, Offset: offset }),
                );
                const tokens = res.Tokens ?? [];
                const found = tokens.find((t) => t.Id === tokenId);
                if (found) {
                    return { tokenId, description: found.Desc, enabled: found.Enabled };
                }
                if (tokens.length < limit || offset + limit >= (res.TotalCount ?? 0)) {
                    return undefined;
                }
            }
        },

        async deleteToken(registryId, tokenId) {
            try {
                await call("DeleteInstanceToken", () => client.DeleteInstanceToken({ RegistryId: registryId, TokenId: tokenId }));
                return true;
            } catch (err) {
                if (notFound(err)) {
                    return false;
                }
                throw err;
            }
        },
    };
}
