/** The arguments of the `aliyun` registry kind (its shape is checked by `configSchema` in `../aliyun.ts`). */
import type * as pulumi from "@pulumi/pulumi";
import type { AliyunEdition, AliyunNetwork } from "./endpoints";

/** A new Container Registry Enterprise Edition instance (a subscription: it is billed from creation). */
export interface AliyunEnterpriseInstanceArgs {
    /** `Basic` (default), `Standard` or `Advanced`. */
    readonly instanceType?: "Basic" | "Standard" | "Advanced";
    /** Prepaid months. Default 1. */
    readonly period?: number;
    /** `ManualRenewal` (default) or `AutoRenewal`. */
    readonly renewalStatus?: "ManualRenewal" | "AutoRenewal";
    /** Months per automatic renewal; needed with `AutoRenewal`. */
    readonly renewPeriod?: number;
}

/**
 * Alibaba Cloud Container Registry (ACR): an Enterprise Edition instance (existing, or new) or the Personal Edition,
 * with a namespace that creates private repositories on push. The Alibaba Cloud resources use the `alicloud` provider
 * in scope, whose region must be `region`.
 */
export interface AliyunRegistryArgs {
    /** Selects this registry kind. */
    readonly type: "aliyun";
    /** `enterprise` (recommended) or `personal` (its Pulumi resource, `cr.Namespace`, is deprecated). */
    readonly edition: AliyunEdition;
    /** Region id of the registry: `cn-hangzhou`, `ap-southeast-1`. */
    readonly region: pulumi.Input<string>;
    /** ACR namespace plugin images go to (created, auto-creating private repositories): `dify-plugins`. */
    readonly namespace: pulumi.Input<string>;
    /**
     * `public` (default) or `vpc` (Enterprise Edition only): in-cluster builds on ACK in the instance's VPC push over the
     * VPC endpoint and never cross the internet. The VPC must be in the instance's VPC access control list.
     */
    readonly network?: AliyunNetwork;
    /**
     * The registry host, when it is not the documented default for the edition and network: a custom domain of an
     * Enterprise instance, or a Personal Edition instance created since 2024-09-09 (`crpi-<id>.<region>.personal.cr.aliyuncs.com`).
     */
    readonly endpoint?: pulumi.Input<string>;
    /** The Alibaba Cloud account or RAM user name to log in with (RAM roles cannot log in with a password). */
    readonly username: pulumi.Input<string>;
    /** The registry login password of that user (for a new instance: set as its login password). Kept secret end to end. */
    readonly password: pulumi.Input<string>;
    /** Enterprise Edition: the instance's name, which its endpoints are named after. */
    readonly instanceName?: pulumi.Input<string>;
    /** Enterprise Edition: use this existing instance (`cri-…`). */
    readonly instanceId?: pulumi.Input<string>;
    /** Enterprise Edition: create the instance, named `instanceName`. */
    readonly newInstance?: AliyunEnterpriseInstanceArgs;
}
