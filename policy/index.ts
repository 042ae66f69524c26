// The policy pack: `pulumi preview --policy-pack policy` (CI passes it to pulumi/actions as `policyPacks`).
import { PolicyPack } from "@pulumi/policy";
import { mandatoryPolicies, advisoryPolicies } from "./policies";

new PolicyPack("dify-plugin-registry", {
    policies: [
        ...mandatoryPolicies.map((p) => ({ ...p, enforcementLevel: "mandatory" as const })),
        ...advisoryPolicies.map((p) => ({ ...p, enforcementLevel: "advisory" as const })),
    ],
});
