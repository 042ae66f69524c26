import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import type { AliyunRegistryArgs } from "./args";

/** The Aliyun kind's resources: a namespace that auto-creates private repositories, in a new or existing instance. */

export function enterpriseNamespace(args: AliyunRegistryArgs, name: string, opts: pulumi.CustomResourceOptions) {
    let instanceId: pulumi.Input<string> = args.instanceId!;
    if (args.newInstance !== undefined) {
        const instance = args.newInstance;
        const created = new alicloud.cr.RegistryEnterpriseInstance(
            `${name}-cr-instance`,
            {
                instanceName: args.instanceName!,
                instanceType: instance.instanceType ?? "Basic",
                paymentType: "Subscription",
                period: instance.period ?? 1,
                renewalStatus: instance.renewalStatus ?? "ManualRenewal",
                ...(instance.renewPeriod !== undefined ? { renewPeriod: instance.renewPeriod } : {}),
                // The login password of the user the provider acts as: the docker password below.
                password: pulumi.secret(args.password),
            },
            opts,
        );
        instanceId = created.id;
    }
    const namespace = new alicloud.cs.RegistryEnterpriseNamespace(
        `${name}-cr-namespace`,
        { instanceId, name: args.namespace, autoCreate: true, defaultVisibility: "PRIVATE" },
        opts,
    );
    return { namespace, instanceId };
}

/** A Personal Edition namespace (`cr.Namespace`) that auto-creates private repositories; there is no instance id. */
export function personalNamespace(args: AliyunRegistryArgs, name: string, opts: pulumi.CustomResourceOptions) {
    const namespace = new alicloud.cr.Namespace(
        `${name}-cr-namespace`,
        { name: args.namespace, autoCreate: true, defaultVisibility: "PRIVATE" },
        opts,
    );
    return { namespace, instanceId: undefined };
}
