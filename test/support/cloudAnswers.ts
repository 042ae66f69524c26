/**
 * What Azure and Alibaba Cloud compute when the registry kinds' resources are created — ARM ids, login servers, client
 * and object ids, the generated password — answered through the shared mocks (test/support/mocks.ts). Values are fixed
 * and distinctive so a test can tell where each one ended up.
 */
import { answerResource, stopAnswering } from "./mocks";

export const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-111122223333";
export const CLIENT_ID = "5f2c7a9e-8d41-4b6a-9c3e-0a1b2c3d4e5f";
export const OBJECT_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
/** The password Entra ID "generates": distinctive, so a match anywhere is a leak. */
export const GENERATED_PASSWORD = "Gen~Sentinel-8Q.acr_9d2f";
export const NEW_INSTANCE_ID = "cri-newinstance0test";

/** The ARM id Azure gives a registry. */
export function registryArmId(resourceGroupName: string, registryName: string, subscription = SUBSCRIPTION): string {
    return `/subscriptions/${subscription}/resourceGroups/${resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/${registryName}`;
}

const AZURE_TYPES = [
    "azure-native:containerregistry:Registry",
    "azuread:index/application:Application",
    "azuread:index/servicePrincipal:ServicePrincipal",
    "azuread:index/servicePrincipalPassword:ServicePrincipalPassword",
];
const ALIBABA_TYPES = ["alicloud:cr/registryEnterpriseInstance:RegistryEnterpriseInstance"];

/** Stops answering for the clouds (answers are process-wide: they must not outlive the tests that set them). */
export function stopAnsweringClouds(): void {
    for (const type of [...AZURE_TYPES, ...ALIBABA_TYPES]) {
        stopAnswering(type);
    }
}

export function answerAzure(): void {
    answerResource("azure-native:containerregistry:Registry", ({ inputs }) => ({
        id: registryArmId(inputs.resourceGroupName, inputs.registryName),
        state: { loginServer: `${String(inputs.registryName).toLowerCase()}.azurecr.io` },
    }));
    answerResource("azuread:index/application:Application", () => ({ state: { clientId: CLIENT_ID } }));
    answerResource("azuread:index/servicePrincipal:ServicePrincipal", () => ({
        id: `/servicePrincipals/${OBJECT_ID}`,
        state: { objectId: OBJECT_ID },
    }));
    answerResource("azuread:index/servicePrincipalPassword:ServicePrincipalPassword", () => ({ state: { value: GENERATED_PASSWORD } }));
}

export function answerAlibaba(): void {
    answerResource("alicloud:cr/registryEnterpriseInstance:RegistryEnterpriseInstance", () => ({ id: NEW_INSTANCE_ID }));
}
