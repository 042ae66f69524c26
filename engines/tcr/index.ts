/**
 * Tencent Cloud TCR's API (namespaces and long-term instance tokens) over the official `tencentcloud-sdk-nodejs`, loaded
 * from the program's `node_modules` when first called. No Pulumi: the `TcrNamespace` and `TcrInstanceToken` resources
 * (`components/resources/tcr`) reach it as `dify-plugin-registry/engines/tcr`.
 */
export { parseApiEndpoint, tcrApi } from "./api";
export type { TcrApi, TcrApiOptions, TcrInstance, TcrToken, TcrTokenInfo } from "./api";
