/**
 * Azure Resource Manager names and ids for ACR (pure). Deriving the subscription from the registry id saves an invoke
 * (`getClientConfig`) and keeps the role assignment's inputs the same on every run.
 */

/** The built-in `AcrPush` role (push and pull, nothing else): the same id in every tenant. */
export const ACR_PUSH_ROLE_ID = "8311e382-0749-4cb8-b61a-304f252e45ec";

/** SKUs that can be created today (`Classic` is retired). */
export const ACR_SKUS = ["Basic", "Standard", "Premium"] as const;
/** A SKU a new registry can be created with. */
export type AcrSku = (typeof ACR_SKUS)[number];

/** The parts of `/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerRegistry/registries/<name>`. */
export interface RegistryId {
    readonly subscriptionId: string;
    readonly resourceGroupName: string;
    readonly registryName: string;
}

// ARM treats the literal segments case-insensitively; the names keep their case.
const REGISTRY_ID =
    /^\/subscriptions\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)$/i;

/** The parts of a registry's resource id, or undefined when `id` is not one. */
export function parseRegistryId(id: string): RegistryId | undefined {
    const match = REGISTRY_ID.exec(id);
    return match ? { subscriptionId: match[1], resourceGroupName: match[2], registryName: match[3] } : undefined;
}

/** The subscription-scoped id of the AcrPush role definition, the form ARM returns (so there is no diff). */
export function acrPushRoleDefinitionId(subscriptionId: string): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PUSH_ROLE_ID}`;
}

/** The login server of a registry in Azure's public cloud; other clouds and name-label registries pass `loginServer`. */
export function defaultLoginServer(registryName: string): string {
    return `${registryName.toLowerCase()}.azurecr.io`;
}

/** Why `name` is not a registry name (5-50 alphanumerics, globally unique), or undefined. */
export function registryNameProblem(name: string | undefined): string | undefined {
    if (typeof name !== "string" || !/^[a-zA-Z0-9]{5,50}$/.test(name)) {
        return `${JSON.stringify(name)} is not an ACR registry name: 5-50 letters and digits, no '-' or '.' (e.g. \`acmedifyplugins\`)`;
    }
    return undefined;
}

/** Why `name` is not a resource group name (1-90 of letters, digits, `_ - . ( )`, not ending in `.`), or undefined. */
export function resourceGroupNameProblem(name: string | undefined): string | undefined {
    if (typeof name !== "string" || !/^[\p{L}\p{N}_\-.()]{1,90}$/u.test(name) || name.endsWith(".")) {
        return `${JSON.stringify(name)} is not a resource group name: 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'`;
    }
    return undefined;
}

/** Why `id` is not a registry's resource id, or undefined. */
export function registryIdProblem(id: string | undefined): string | undefined {
    if (typeof id !== "string" || !parseRegistryId(id)) {
        return (
            `${JSON.stringify(id)} is not a registry resource id; expected ` +
            "`/subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.ContainerRegistry/registries/<name>`"
        );
    }
    return registryNameProblem(parseRegistryId(id)!.registryName);
}

/** Why `id` is not a subscription id (a GUID), or undefined. */
export function subscriptionIdProblem(id: string | undefined): string | undefined {
    if (typeof id !== "string" || !/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id)) {
        return `${JSON.stringify(id)} is not a subscription id: a GUID such as "00000000-0000-0000-0000-000000000000" (\`az account show --query id\`)`;
    }
    return undefined;
}

/** Why `sku` is not a SKU that can be created, or undefined. */
export function skuProblem(sku: string | undefined): string | undefined {
    return ACR_SKUS.includes(sku as AcrSku)
        ? undefined
        : `unknown SKU ${JSON.stringify(sku)}; valid SKUs: ${ACR_SKUS.map((s) => `"${s}"`).join(", ")}`;
}
