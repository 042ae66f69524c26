import { ResourceValidationPolicy } from "@pulumi/policy";
import { acrAdminUserDisabled, ecrTemplateLifecycle, irsaTrustConditions, noIamWildcards, prodRegistriesProtected } from "./cloud";
import { chartVersionPinned, imageRepoSecretShape, mirroredImagesPinned, noCredentialsInHelmValues } from "./kubernetes";

export * from "./cloud";
export * from "./kubernetes";

/** Violations fail `pulumi preview` and `pulumi up`. */
export const mandatoryPolicies: readonly ResourceValidationPolicy[] = [
    imageRepoSecretShape,
    irsaTrustConditions,
    noIamWildcards,
    acrAdminUserDisabled,
    ecrTemplateLifecycle,
    noCredentialsInHelmValues,
    prodRegistriesProtected,
];

/** Violations are reported as warnings. */
export const advisoryPolicies: readonly ResourceValidationPolicy[] = [mirroredImagesPinned, chartVersionPinned];
