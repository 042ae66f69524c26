import * as azuread from "@pulumi/azuread";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerregistry from "@pulumi/azure-native/containerregistry";
import * as pulumi from "@pulumi/pulumi";
import type { AcrRegistryArgs } from "./args";
import { isPlain } from "../../validation";
import { acrPushRoleDefinitionId, defaultLoginServer, parseRegistryId } from "./arm";
import { credentialEndDate } from "./credential";

/** The ACR kind's resources: the registry (or a reference to an existing one) and its push identity. */

/** The registry the service principal pushes to. */
export interface RegistryRef {
    readonly id: pulumi.Input<string>;
    readonly loginServer: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
}

/** Creates the registry (SKU `Standard` unless given, admin user disabled) in the given resource group. */
export function createRegistry(args: AcrRegistryArgs, name: string, opts: pulumi.CustomResourceOptions): RegistryRef {
    const registry = new containerregistry.Registry(
        `${name}-acr`,
        {
            resourceGroupName: args.resourceGroupName!,
            registryName: args.registryName,
            sku: { name: args.sku ?? "Standard" },
            // The admin user is one shared root login for the whole registry: never enabled.
            adminUserEnabled: false,
            ...(args.location !== undefined ? { location: args.location } : {}),
        },
        opts,
    );
    return { id: registry.id, loginServer: registry.loginServer, subscriptionId: args.subscriptionId! };
}

/** References an existing registry by id: its subscription and default login server come from the id, with no lookup. */
export function existingRegistry(args: AcrRegistryArgs): RegistryRef {
    const id = args.existingRegistryId!;
    if (isPlain(id)) {
        const parts = parseRegistryId(id)!;
        return { id, loginServer: args.loginServer ?? defaultLoginServer(parts.registryName), subscriptionId: parts.subscriptionId };
    }
    // A malformed id fails its deferred check, and children wait for that check: "" never reaches a resource.
    const parts = pulumi.output(id).apply((v) => parseRegistryId(v));
    return {
        id,
        loginServer: args.loginServer ?? parts.apply((p) => (p ? defaultLoginServer(p.registryName) : "")),
        subscriptionId: parts.apply((p) => p?.subscriptionId ?? ""),
    };
}

/** An Entra application + service principal + password, allowed to push to `registry` and nowhere else. */
export function pushCredential(args: AcrRegistryArgs, name: string, registry: RegistryRef, opts: pulumi.CustomResourceOptions) {
    const owners = args.owners !== undefined ? { owners: args.owners } : {};
    const app = new azuread.Application(
        `${name}-acr-push`,
        { displayName: args.applicationName ?? `${name}-${pulumi.getStack()}-acr-push`, ...owners },
        opts,
    );
    const principal = new azuread.ServicePrincipal(`${name}-acr-push`, { clientId: app.clientId, ...owners }, opts);
    const credential = args.credential;
    const password = new azuread.ServicePrincipalPassword(
        `${name}-acr-push`,
        {
            servicePrincipalId: principal.id,
            displayName: `dify plugin push, issued ${credential.issuedOn}`,
            endDate: credentialEndDate(credential),
            // Replaces the password (create-before-delete) when the config says it was reissued.
            rotateWhenChanged: { issuedOn: credential.issuedOn },
        },
        opts,
    );
    const roleAssignment = new authorization.RoleAssignment(
        `${name}-acr-push`,
        {
            principalId: principal.objectId,
            // Set so ARM does not look the new principal up in a directory replica that may not have it yet.
            principalType: "ServicePrincipal",
            roleDefinitionId: isPlain(registry.subscriptionId)
                ? acrPushRoleDefinitionId(registry.subscriptionId)
                : pulumi.output(registry.subscriptionId).apply(acrPushRoleDefinitionId),
            scope: registry.id,
            // The scope, said where it is seen: in previews, synth output and the Azure portal's role assignments.
            description: isPlain(args.prefix)
                ? acrPushScopeDescription(args.prefix as string)
                : pulumi.output(args.prefix).apply(acrPushScopeDescription),
        },
        opts,
    );
    return { clientId: app.clientId, password: pulumi.secret(password.value), roleAssignment };
}

/**
 * What the push identity may do, plainly: AcrPush is granted on the registry, so it covers every repository, not only
 * the plugin prefix. ACR cannot narrow a service principal's role to a repository prefix with what azure-native offers:
 * repository-scoped tokens (scope maps) get no password from azure-native (pulumi-azure-native#3099), and ABAC
 * repository conditions need a registry setting azure-native does not expose. See docs/acr.md.
 */
export function acrPushScopeDescription(prefix: string): string {
    return (
        `Dify plugin builds (prefix ${prefix}/): AcrPush on the whole registry - may push to, overwrite tags in and pull ` +
        `from every repository of this registry, not only ${prefix}/*`
    );
}

/** `registryOutputs.pushScope`: the scope of the push identity's role, in a word. */
export const ACR_PUSH_SCOPE = "registry";
