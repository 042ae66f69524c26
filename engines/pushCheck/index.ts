/**
 * The registry push check, a pure engine on the OCI client (`engines/oci`; no Pulumi): proves that a login may push
 * and pull under a prefix. Used by the `dify-plugin-registry check` command and by the `RegistryPushCheck` resource
 * (`components/resources/pushCheck`), whose serialized provider reaches it as `dify-plugin-registry/engines/pushCheck`.
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
export { ecrApiEndpoint, ecrDockerConfig, signV4 } from "./ecrLogin";
export type { EcrLogin, SigV4Request } from "./ecrLogin";
