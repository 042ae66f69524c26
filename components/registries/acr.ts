import type { AcrRegistryArgs } from "./acr/args";
import { dockerLoginJson, joinPrefix } from "./login";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { input, inputString } from "../schema";
import { hostPortProblem, InputChecks, repositoryPathProblem, requireNonEmpty } from "../validation";
import { registryIdProblem, registryNameProblem, resourceGroupNameProblem, skuProblem, subscriptionIdProblem } from "./acr/arm";
import { credentialEndDate, credentialProblems } from "./acr/credential";
import { ACR_PUSH_SCOPE, createRegistry, existingRegistry, pushCredential } from "./acr/resources";
import { ProvisionedRegistry, RegistryContext, RegistryKind, ValidationContext } from "./registryKind";

export type { AcrRegistryArgs } from "./acr/args";

export { AcrCredentialArgs } from "./acr/credential";

const CREATION_KEYS = ["subscriptionId", "resourceGroupName", "registryName", "sku", "location"] as const;

/**
 * The `acr` registry kind: a new or existing registry, pushed to by a service principal holding `AcrPush` on it alone —
 * on the whole registry, every repository, not only the prefix (docs/acr.md, "What the push identity may do").
 */
export const acrRegistry: RegistryKind<AcrRegistryArgs> = {
    type: "acr",
    configSchema: z.strictObject({
        type: z.literal("acr"),
        prefix: inputString,
        existingRegistryId: inputString.optional(),
        subscriptionId: inputString.optional(),
        loginServer: inputString.optional(),
        resourceGroupName: inputString.optional(),
        registryName: inputString.optional(),
        // Any string here: validate() names the valid SKUs.
        sku: inputString.optional(),
        location: inputString.optional(),
        credential: z.strictObject({ issuedOn: z.string(), lifetimeDays: z.number().optional() }),
        applicationName: inputString.optional(),
        owners: input(z.array(inputString)).optional(),
    }),
    secretKeys: [],

    validate(args: AcrRegistryArgs, checks: InputChecks, context: ValidationContext): void {
        checks.check("registry.prefix", args.prefix, repositoryPathProblem);
        const creating = CREATION_KEYS.filter((key) => args[key] !== undefined);
        if (args.existingRegistryId !== undefined) {
            if (creating.length > 0) {
                checks.problems.add(
                    "registry.existingRegistryId",
                    `use an existing registry or create one, not both: remove existingRegistryId or ${creating.join(", ")}`,
                );
            }
            checks.check("registry.existingRegistryId", args.existingRegistryId, registryIdProblem);
            if (args.loginServer !== undefined) {
                checks.check("registry.loginServer", args.loginServer, hostPortProblem);
            }
        } else {
            checks.check("registry.subscriptionId", args.subscriptionId, (v) =>
                v === undefined ? "is required to create a registry (or give existingRegistryId to use one)" : subscriptionIdProblem(v),
            );
            checks.check("registry.resourceGroupName", args.resourceGroupName, (v) =>
                v === undefined ? "is required to create a registry (or give existingRegistryId to use one)" : resourceGroupNameProblem(v),
            );
            checks.check("registry.registryName", args.registryName, (v) =>
                v === undefined ? "is required to create a registry (or give existingRegistryId to use one)" : registryNameProblem(v),
            );
            if (args.sku !== undefined) {
                checks.check("registry.sku", args.sku, skuProblem);
            }
            if (args.location !== undefined) {
                checks.check("registry.location", args.location, requireNonEmpty("the Azure region"));
            }
            if (args.loginServer !== undefined) {
                checks.problems.add(
                    "registry.loginServer",
                    "is read from the registry the component creates; give it only with existingRegistryId",
                );
            }
        }
        const credentialIssues = credentialProblems(args.credential);
        for (const { path, reason } of credentialIssues) {
            checks.problems.add(path, reason);
        }
        if (credentialIssues.length === 0) {
            warnWhenExpiring(credentialEndDate(args.credential), context);
        }
        if (args.applicationName !== undefined) {
            checks.check("registry.applicationName", args.applicationName, requireNonEmpty("the application display name"));
        }
    },

    provision(args: AcrRegistryArgs, ctx: RegistryContext): ProvisionedRegistry {
        const opts: pulumi.CustomResourceOptions = { parent: ctx.parent, dependsOn: ctx.dependsOn };
        const registry = args.existingRegistryId === undefined ? createRegistry(args, ctx.name, opts) : existingRegistry(args);
        const push = pushCredential(args, ctx.name, registry, opts);
        const { loginServer } = registry;
        return {
            imageRepoPrefix: joinPrefix(loginServer, args.prefix),
            imageRepoType: "docker",
            insecure: false,
            // The docker user of a service principal is its client id; the password is its secret.
            dockerConfigJson: dockerLoginJson({ server: loginServer, username: push.clientId, password: push.password }),
            // Plugin builds must not start before the service principal may push.
            dependencies: [push.roleAssignment],
            // pushScope: AcrPush is on the registry, every repository (not only the prefix); docs/acr.md says why.
            outputs: { loginServer, registryId: registry.id, clientId: push.clientId, pushScope: ACR_PUSH_SCOPE },
        };
    },
};

const WARN_DAYS = 30;

// The clock only decides whether to warn; it never reaches a resource input.
function warnWhenExpiring(endDate: string, context: ValidationContext): void {
    const daysLeft = (Date.parse(endDate) - Date.now()) / (24 * 60 * 60 * 1000);
    if (daysLeft < WARN_DAYS) {
        context.warn(
            `registry.credential: the ACR push password ${daysLeft < 0 ? "expired" : "expires"} on ${endDate}; ` +
                "set registry.credential.issuedOn to today to rotate it (docs/acr.md)",
        );
    }
}
