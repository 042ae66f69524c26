import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_HOST, PACKAGE_RESOURCE_TOKENS, packageResourceOptions, type ResourceHost } from "../host";
import { tcrNamespaceProvider, tcrTokenProvider } from "./provider";

/** Where the TCR API is reached. Credentials unset = `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` at run time. */
export interface TcrConnectionArgs {
    /** The TCR Enterprise instance: `tcr-dg284imq`. */
    readonly instanceId: pulumi.Input<string>;
    /** Its region: `ap-guangzhou`. */
    readonly region: pulumi.Input<string>;
    /** `tcr.tencentcloudapi.com` when unset; `tcr.intl.tencentcloudapi.com` for international accounts. */
    readonly apiEndpoint?: pulumi.Input<string>;
    /** API SecretId, stored (encrypted) in the state so that later runs can refresh and delete. */
    readonly secretId?: pulumi.Input<string>;
    /** API SecretKey, likewise. */
    readonly secretKey?: pulumi.Input<string>;
}

/** Arguments of {@link TcrNamespace}. */
export interface TcrNamespaceArgs extends TcrConnectionArgs {
    /** The namespace: 2-30 lowercase letters, digits and single `.`, `_`, `-` between them. */
    readonly namespace: pulumi.Input<string>;
}

/** Arguments of {@link TcrInstanceToken}. */
export interface TcrTokenArgs extends TcrConnectionArgs {
    /** Shown in the TCR console; a new description means a new token. */
    readonly description: pulumi.Input<string>;
}

// The engine marks these outputs secret (the credentials are wrapped on the way in as well); only the ones given exist.
function credentialOutputs(args: TcrConnectionArgs): string[] {
    return (["secretId", "secretKey"] as const).filter((key) => args[key] !== undefined);
}

function connectionInputs(args: TcrConnectionArgs): Record<string, pulumi.Input<string> | undefined> {
    return {
        instanceId: args.instanceId,
        region: args.region,
        apiEndpoint: args.apiEndpoint,
        secretId: args.secretId === undefined ? undefined : pulumi.secret(args.secretId),
        secretKey: args.secretKey === undefined ? undefined : pulumi.secret(args.secretKey),
    };
}

function namespaceInputs(args: TcrNamespaceArgs): pulumi.Inputs {
    return { ...connectionInputs(args), namespace: args.namespace, domain: undefined, instanceName: undefined, created: undefined };
}

function tokenInputs(args: TcrTokenArgs): pulumi.Inputs {
    return {
        ...connectionInputs(args),
        description: args.description,
        tokenId: undefined,
        username: undefined,
        token: undefined,
        enabled: undefined,
    };
}

/** A namespace in an existing TCR instance, created private if missing (an existing one is adopted and never deleted). */
export class TcrNamespace extends pulumi.dynamic.Resource {
    /** `<instance-name>.tencentcloudcr.com`, from DescribeInstances' `PublicDomain`. */
    declare public readonly domain: pulumi.Output<string>;
    declare public readonly instanceName: pulumi.Output<string>;
    declare public readonly namespace: pulumi.Output<string>;
    /** Whether this resource created the namespace (and so deletes it). */
    declare public readonly created: pulumi.Output<boolean>;

    constructor(name: string, args: TcrNamespaceArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            tcrNamespaceProvider,
            name,
            namespaceInputs(args),
            pulumi.mergeOptions(opts, { additionalSecretOutputs: credentialOutputs(args) }),
        );
    }
}

/** A long-term TCR instance access token: `username` + `token` are the docker login. */
export class TcrInstanceToken extends pulumi.dynamic.Resource {
    declare public readonly tokenId: pulumi.Output<string>;
    /** The Tencent Cloud account (UIN) the token acts as. */
    declare public readonly username: pulumi.Output<string>;
    /** The docker password: secret. */
    declare public readonly token: pulumi.Output<string>;
    declare public readonly enabled: pulumi.Output<boolean>;

    constructor(name: string, args: TcrTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            tcrTokenProvider,
            name,
            tokenInputs(args),
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token", ...credentialOutputs(args)] }),
        );
    }
}

/** {@link TcrNamespace} as a resource of this package (`dify-plugin-registry:index:TcrNamespace`), `../host.ts`. */
export class PackagedTcrNamespace extends pulumi.CustomResource {
    /** `<instance-name>.tencentcloudcr.com`, from DescribeInstances' `PublicDomain`. */
    declare public readonly domain: pulumi.Output<string>;
    declare public readonly instanceName: pulumi.Output<string>;
    declare public readonly namespace: pulumi.Output<string>;
    /** Whether this resource created the namespace (and so deletes it). */
    declare public readonly created: pulumi.Output<boolean>;

    constructor(name: string, args: TcrNamespaceArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            PACKAGE_RESOURCE_TOKENS.tcrNamespace,
            name,
            namespaceInputs(args),
            pulumi.mergeOptions(opts, { additionalSecretOutputs: credentialOutputs(args) }),
        );
    }
}

/** {@link TcrInstanceToken} as a resource of this package (`dify-plugin-registry:index:TcrInstanceToken`), `../host.ts`. */
export class PackagedTcrInstanceToken extends pulumi.CustomResource {
    declare public readonly tokenId: pulumi.Output<string>;
    /** The Tencent Cloud account (UIN) the token acts as. */
    declare public readonly username: pulumi.Output<string>;
    /** The docker password: secret. */
    declare public readonly token: pulumi.Output<string>;
    declare public readonly enabled: pulumi.Output<boolean>;

    constructor(name: string, args: TcrTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            PACKAGE_RESOURCE_TOKENS.tcrToken,
            name,
            tokenInputs(args),
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token", ...credentialOutputs(args)] }),
        );
    }
}

/** A TCR namespace in the process `host` says: a dynamic resource, or the package's own. */
export function newTcrNamespace(
    name: string,
    args: TcrNamespaceArgs,
    opts: pulumi.CustomResourceOptions,
    host: ResourceHost = DYNAMIC_HOST,
): TcrNamespace | PackagedTcrNamespace {
    return host.kind === "package"
        ? new PackagedTcrNamespace(name, args, packageResourceOptions(host, opts))
        : new TcrNamespace(name, args, opts);
}

/** A TCR token in the process `host` says: a dynamic resource, or the package's own. */
export function newTcrInstanceToken(
    name: string,
    args: TcrTokenArgs,
    opts: pulumi.CustomResourceOptions,
    host: ResourceHost = DYNAMIC_HOST,
): TcrInstanceToken | PackagedTcrInstanceToken {
    return host.kind === "package"
        ? new PackagedTcrInstanceToken(name, args, packageResourceOptions(host, opts))
        : new TcrInstanceToken(name, args, opts);
}
