/**
 * The component's side of the push check: registers {@link RegistryPushCheck} for a validated `pushCheck`, with the
 * login the registry kind provides, so that `pluginRegistry.ts` needs one call and one `dependsOn` entry.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ProvisionedRegistry } from "../../registries/registryKind";
import type { ResourceHost } from "../host";
import { newRegistryPushCheck, type PackagedRegistryPushCheck, type RegistryPushCheck } from "./resource";
import type { PushCheckPlan } from "../../pushCheckArgs";

/**
 * The push check of a component, named `<name>-push-check`, or undefined when it is off. It waits for `dependsOn`
 * (image-repo-secret and the kind's resources: the login must exist before it is tried), and the chart waits for it.
 */
export function registerPushCheck(
    name: string,
    plan: PushCheckPlan | undefined,
    registry: ProvisionedRegistry,
    opts: { readonly parent: pulumi.Resource; readonly dependsOn: readonly pulumi.Resource[]; readonly host?: ResourceHost },
): RegistryPushCheck | PackagedRegistryPushCheck | undefined {
    if (!plan) return undefined;
    // A login given in pushCheck.auth wins; else the kind's (ECR access key), else image-repo-secret's.
    const ecr = plan.auth === undefined ? registry.pushCheckLogin?.ecr : undefined;
    const auth = plan.auth ?? (ecr === undefined ? registry.dockerConfigJson : undefined);
    if (auth === undefined && ecr === undefined) {
        void pulumi.log.warn(
            `pushCheck: registry type "${registry.imageRepoType}" gives no login to check; the check is skipped`,
            opts.parent,
        );
        return undefined;
    }
    return newRegistryPushCheck(
        `${name}-push-check`,
        {
            prefix: registry.imageRepoPrefix,
            ...(auth !== undefined ? { auth } : {}),
            ...(ecr !== undefined ? { ecr } : {}),
            insecure: registry.insecure,
            ...(plan.caFile !== undefined ? { caFile: plan.caFile } : {}),
            settleMs: plan.settleMs,
        },
        { parent: opts.parent, dependsOn: [...opts.dependsOn] },
        opts.host,
    );
}
