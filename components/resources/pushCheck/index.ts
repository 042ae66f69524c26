/**
 * `RegistryPushCheck`: the registry push check (`engines/pushCheck`) as a Pulumi dynamic resource that runs it during
 * `pulumi up`, and `registerPushCheck`, the component's one call that attaches it to a validated `pushCheck`.
 */
export { RegistryPushCheck } from "./resource";
export type { RegistryPushCheckArgs } from "./resource";
export { registryPushCheckProvider } from "./provider";
export type { PushCheckInputs, PushCheckOutputs } from "./provider";
