/** The arguments of the `tcr` registry kind (its shape is checked by `configSchema` in `../tcr.ts`). */
import type * as pulumi from "@pulumi/pulumi";

/**
 * Tencent Container Registry (TCR) Enterprise: a namespace in an existing instance, pushed to with a long-term instance
 * access token. Both are created through the TCR API (resources of this package, `TcrNamespace` and
 * `TcrInstanceToken`: there is no Tencent Cloud Pulumi provider on npm) with credentials from `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` or `secretId` /
 * `secretKey`. With an existing `username` + `token` (+ `server`) nothing is created and no API is called.
 */
export interface TcrRegistryArgs {
    /** Selects this registry kind. */
    readonly type: "tcr";
    /** The existing TCR Enterprise instance: `tcr-dg284imq`. */
    readonly instanceId: pulumi.Input<string>;
    /** Region of the instance: `ap-guangzhou`. Required unless an existing `token` is given. */
    readonly region?: pulumi.Input<string>;
    /**
     * Namespace plugin images go to (`<domain>/<namespace>/<plugin>:<tag>`): 2-30 lowercase letters and digits with
     * single `.`, `_`, `-` between them. Created private when missing; an existing one is used and never deleted.
     */
    readonly namespace: pulumi.Input<string>;
    /** API SecretId. Default: `TENCENTCLOUD_SECRET_ID` of the process running `pulumi`. Kept secret. */
    readonly secretId?: pulumi.Input<string>;
    /** API SecretKey. Default: `TENCENTCLOUD_SECRET_KEY`. Kept secret. */
    readonly secretKey?: pulumi.Input<string>;
    /** TCR API host: `tcr.tencentcloudapi.com` (default); `tcr.intl.tencentcloudapi.com` for international accounts. */
    readonly apiEndpoint?: string;
    /** Registry host. Default: the instance's `PublicDomain`; required with an existing token (nothing is looked up). */
    readonly server?: pulumi.Input<string>;
    /** Change to any new value (e.g. `"2026-07"`) to replace the access token: a new one first, then the old one deleted. */
    readonly tokenRotation?: string;
    /** An existing login instead of a managed token: the Tencent Cloud account id the token belongs to. */
    readonly username?: pulumi.Input<string>;
    /** An existing long-term access token. Kept secret. */
    readonly token?: pulumi.Input<string>;
}
