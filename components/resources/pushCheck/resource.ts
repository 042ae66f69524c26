/**
 * `RegistryPushCheck`: a Pulumi dynamic resource that runs the registry push check during `pulumi up` (never in a
 * preview) and fails the update, naming the prefix, when the login cannot push there. See `provider.ts`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EcrLogin } from "../../../engines/pushCheck/ecrLogin";
import { DYNAMIC_HOST, PACKAGE_RESOURCE_TOKENS, packageResourceOptions, type ResourceHost } from "../host";
import { type PushCheckInputs, registryPushCheckProvider } from "./provider";

/** Arguments of {@link RegistryPushCheck}. */
export interface RegistryPushCheckArgs {
    /** `host[:port]/path` plugin images are pushed under (`plugin_connector.imageRepoPrefix`). */
    readonly prefix: pulumi.Input<string>;
    /** Docker config JSON with the login for the prefix's registry. Wrapped in `pulumi.secret`; never an output. */
    readonly auth?: pulumi.Input<string>;
    /** ECR with an access key: the key, exchanged for a login when the check runs. Wrapped in `pulumi.secret`. */
    readonly ecr?: pulumi.Input<EcrLogin>;
    /** Plain HTTP (`insecureImageRepo`). */
    readonly insecure?: pulumi.Input<boolean>;
    /** PEM file of an extra CA for the registry, read when the check runs. */
    readonly caFile?: pulumi.Input<string>;
    /** Milliseconds a refused login, push or pull is tried again (logins just created). Default 0: fail at once. */
    readonly settleMs?: pulumi.Input<number>;
}

// The hash tells nothing useful, but it is derived from the login: kept secret in state like the login.
const SECRET_OUTPUTS = ["loginHash", "salt"];

function pushCheckInputs(args: RegistryPushCheckArgs): Record<keyof PushCheckInputs, unknown> & Record<string, unknown> {
    return {
        prefix: args.prefix,
        auth: args.auth === undefined ? undefined : pulumi.secret(args.auth),
        ecr: args.ecr === undefined ? undefined : pulumi.secret(args.ecr),
        insecure: args.insecure,
        caFile: args.caFile,
        settleMs: args.settleMs,
        steps: undefined,
        warnings: undefined,
        loginHash: undefined,
        salt: undefined,
    };
}

function withSecretOutputs(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
    return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS] };
}

/** Proves on `pulumi up` that the login may push and pull under the prefix; re-runs when the login or prefix changes. */
export class RegistryPushCheck extends pulumi.dynamic.Resource {
    /** The prefix checked. */
    declare public readonly prefix: pulumi.Output<string>;
    /** One line per step of the last check. */
    declare public readonly steps: pulumi.Output<string[]>;
    /** What the last check found worth telling (an upload session it could not cancel). */
    declare public readonly warnings: pulumi.Output<string[]>;

    constructor(name: string, args: RegistryPushCheckArgs, opts?: pulumi.CustomResourceOptions) {
        super(registryPushCheckProvider, name, pushCheckInputs(args), withSecretOutputs(opts));
    }
}

/**
 * The same push check as a resource of this package (`dify-plugin-registry:index:RegistryPushCheck`), served by the
 * package's provider with {@link registryPushCheckProvider}: what the component creates when the multi-language
 * provider constructs it (`../host.ts`).
 */
export class PackagedRegistryPushCheck extends pulumi.CustomResource {
    /** The prefix checked. */
    declare public readonly prefix: pulumi.Output<string>;
    /** One line per step of the last check. */
    declare public readonly steps: pulumi.Output<string[]>;
    /** What the last check found worth telling (an upload session it could not cancel). */
    declare public readonly warnings: pulumi.Output<string[]>;

    constructor(name: string, args: RegistryPushCheckArgs, opts?: pulumi.CustomResourceOptions) {
        super(PACKAGE_RESOURCE_TOKENS.pushCheck, name, pushCheckInputs(args), withSecretOutputs(opts));
    }
}

/** A push check in the process `host` says: a dynamic resource, or the package's own. */
export function newRegistryPushCheck(
    name: string,
    args: RegistryPushCheckArgs,
    opts: pulumi.CustomResourceOptions,
    host: ResourceHost = DYNAMIC_HOST,
): RegistryPushCheck | PackagedRegistryPushCheck {
    return host.kind === "package"
        ? new PackagedRegistryPushCheck(name, args, packageResourceOptions(host, opts))
        : new RegistryPushCheck(name, args, opts);
}
