/** The arguments of the `acr` registry kind (its shape is checked by `configSchema` in `../acr.ts`). */
import type * as pulumi from "@pulumi/pulumi";
import type { AcrSku } from "./arm";
import type { AcrCredentialArgs } from "./credential";

/**
 * Azure Container Registry, new or existing, pushed to by a service principal of its own that holds `AcrPush` on this
 * registry only. The admin user stays disabled (it is a shared root credential) and ACR token passwords cannot be
 * generated with azure-native (pulumi-azure-native#3099).
 *
 * Give either `existingRegistryId`, or `subscriptionId` + `resourceGroupName` + `registryName` (+ `sku`, `location`) to
 * create one.
 */
export interface AcrRegistryArgs {
    /** Selects this registry kind. */
    readonly type: "acr";
    /** Repository path under the login server that plugin images go to: `dify-plugins`, `team/dify-plugins`. */
    readonly prefix: pulumi.Input<string>;
    /** Use this registry: `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ContainerRegistry/registries/<name>`. */
    readonly existingRegistryId?: pulumi.Input<string>;
    /**
     * Login server of the existing registry. Default `<name>.azurecr.io`; give it for sovereign clouds (`azurecr.cn`,
     * `azurecr.us`) or a registry with a domain name label (`<name>-<hash>.azurecr.io`).
     */
    readonly loginServer?: pulumi.Input<string>;
    /**
     * Create the registry in this subscription: the one the azure-native provider deploys to. It also names the AcrPush
     * role definition (`/subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/…`) without a lookup.
     */
    readonly subscriptionId?: pulumi.Input<string>;
    /** Create the registry in this (existing) resource group. */
    readonly resourceGroupName?: pulumi.Input<string>;
    /** Name of the registry to create: 5-50 letters and digits, globally unique. */
    readonly registryName?: pulumi.Input<string>;
    /** SKU of the registry to create: `Basic`, `Standard` (default) or `Premium`. */
    readonly sku?: pulumi.Input<AcrSku>;
    /** Region of the registry to create. Default: the resource group's. */
    readonly location?: pulumi.Input<string>;
    /** Validity of the push password; change `issuedOn` to rotate it (see docs/acr.md). */
    readonly credential: AcrCredentialArgs;
    /** Display name of the Entra application. Default `<component name>-<stack>-acr-push`. */
    readonly applicationName?: pulumi.Input<string>;
    /** Object ids that own the application and service principal (include the deployer when it has only `Application.ReadWrite.OwnedBy`). */
    readonly owners?: pulumi.Input<pulumi.Input<string>[]>;
}
