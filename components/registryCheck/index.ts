/**
 * The registry push check: the pure check (`check.ts`, used by the `dify-plugin-registry check` command), the
 * `RegistryPushCheck` dynamic resource that runs it during `pulumi up`, and the component's `pushCheck` argument.
 *
 * ```ts
 * const report = await checkRegistry({ prefix: "harbor.example.com/dify/plugins", auth: "/root/.docker/config.json" });
 * // report.ok, report.failed?.step ("registry" | "login" | "push" | "pull"), report.failed?.detail
 * ```
 */
export {
    checkRegistry,
    formatCheckStep,
    formatCheckVerdict,
    parseCheckPrefix,
    prefixProblem,
    CHECK_STEPS,
    PROBE_REPOSITORY,
} from "./check";
export type { CheckOptions, CheckReport, CheckStep, CheckStepResult, CheckFailureReason, CheckFixes, CheckTarget } from "./check";
export { RegistryPushCheck } from "./resource";
export type { RegistryPushCheckArgs } from "./resource";
export { registryPushCheckProvider } from "./provider";
export type { PushCheckInputs, PushCheckOutputs } from "./provider";
export { planPushCheck, WORKLOAD_IDENTITY_REASON } from "./settings";
export type { PushCheckArgs, PushCheckPlan } from "./settings";
export { ecrApiEndpoint, signV4 } from "./ecrLogin";
export type { EcrLogin, SigV4Request } from "./ecrLogin";
