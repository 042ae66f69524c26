/**
 * `RegistryPushCheck`: a Pulumi dynamic resource that runs the registry push check during `pulumi up` (never in a
 * preview) and fails the update, naming the prefix, when the login cannot push there. See `provider.ts`.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EcrLogin } from "../../../engines/pushCheck/ecrLogin";
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

/** Proves on `pulumi up` that the login may push and pull under the prefix; re-runs when the login or prefix changes. */
export class RegistryPushCheck extends pulumi.dynamic.Resource {
    /** The prefix checked. */
    declare public readonly prefix: pulumi.Output<string>;
    /** One line per step of the last check. */
    declare public readonly steps: pulumi.Output<string[]>;
    /** What the last check found worth telling (an upload session it could not cancel). */
    declare public readonly warnings: pulumi.Output<string[]>;

    constructor(name: string, args: RegistryPushCheckArgs, opts?: pulumi.CustomResourceOptions) {
        const inputs: Record<keyof PushCheckInputs, unknown> & Record<string, unknown> = {
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
        // The hash tells nothing useful, but it is derived from the login: kept secret in state like the login.
        super(registryPushCheckProvider, name, inputs, {
            ...opts,
            additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "loginHash", "salt"],
        });
    }
}
