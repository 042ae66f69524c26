import { ResourceValidationPolicy } from "@pulumi/policy";
import { parseIamDocument } from "./iamDocument";

const ROLE = "aws:iam/role:Role";
const POLICY_TYPES: Record<string, string> = {
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/policy:Policy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
};

/** Every web-identity trust limits the caller to one ServiceAccount and to STS as audience. */
export const irsaTrustConditions: ResourceValidationPolicy = {
    name: "irsa-trust-conditions",
    description: "Every IRSA trust policy has StringEquals conditions on <issuer>:sub and <issuer>:aud = sts.amazonaws.com.",
    validateResource: (args, report) => {
        if (args.type !== ROLE) {
            return;
        }
        const statements = parseIamDocument(args.props.assumeRolePolicy);
        if (statements === undefined) {
            report("the trust policy is not a JSON policy document");
            return;
        }
        for (const s of statements.filter((st) => st.effect === "Allow" && st.actions.includes("sts:AssumeRoleWithWebIdentity"))) {
            const equals = (s.condition.StringEquals ?? {}) as Record<string, unknown>;
            const keys = Object.keys(equals);
            const sub = keys.find((k) => k.endsWith(":sub"));
            const aud = keys.find((k) => k.endsWith(":aud"));
            if (!sub || !String(equals[sub]).startsWith("system:serviceaccount:")) {
                report(
                    "a web-identity trust statement lacks StringEquals <issuer>:sub = system:serviceaccount:<namespace>:<name>; any workload in the cluster could assume the role.",
                );
            }
            if (!aud || equals[aud] !== "sts.amazonaws.com") {
                report("a web-identity trust statement lacks StringEquals <issuer>:aud = sts.amazonaws.com.");
            }
        }
    },
};

// The one action that has no resource-level form.
const RESOURCELESS_ACTIONS = ["ecr:GetAuthorizationToken"];

/** Least privilege: no wildcard actions, and `*` resources only where AWS offers nothing narrower. */
export const noIamWildcards: ResourceValidationPolicy = {
    name: "no-iam-wildcards",
    description: "No IAM policy grants a wildcard action or a `*` resource beyond ecr:GetAuthorizationToken.",
    validateResource: (args, report) => {
        const property = POLICY_TYPES[args.type];
        if (!property) {
            return;
        }
        const statements = parseIamDocument(args.props[property]);
        if (statements === undefined) {
            report("the policy is not a JSON policy document");
            return;
        }
        for (const s of statements.filter((st) => st.effect === "Allow")) {
            for (const action of s.actions.filter((a) => a.includes("*"))) {
                report(`action "${action}" is a wildcard; list the actions needed.`);
            }
            if (s.resources.includes("*") && s.actions.some((a) => !RESOURCELESS_ACTIONS.includes(a))) {
                report(
                    `resource "*" is granted for ${s.actions.filter((a) => !RESOURCELESS_ACTIONS.includes(a)).join(", ")}; scope it to the plugin prefix.`,
                );
            }
        }
    },
};

/** The admin user is a shared root credential of the registry; pushes use a scoped service principal instead. */
export const acrAdminUserDisabled: ResourceValidationPolicy = {
    name: "acr-admin-user-disabled",
    description: "Azure Container Registries have the admin user disabled.",
    validateResource: (args, report) => {
        if (args.type === "azure-native:containerregistry:Registry" && args.props.adminUserEnabled === true) {
            report("adminUserEnabled must be false: use a service principal with AcrPush on the registry.");
        }
    },
};

/** Dify creates one repository per plugin build; without a lifecycle policy they grow without bound. */
export const ecrTemplateLifecycle: ResourceValidationPolicy = {
    name: "ecr-template-lifecycle-policy",
    description: "The ECR repository creation template has a lifecycle policy.",
    validateResource: (args, report) => {
        if (args.type !== "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate") {
            return;
        }
        const policy = args.props.lifecyclePolicy;
        let rules: unknown;
        try {
            rules = typeof policy === "string" ? JSON.parse(policy).rules : undefined;
        } catch {
            rules = undefined;
        }
        if (!Array.isArray(rules) || rules.length === 0) {
            report("the repository creation template has no lifecycle policy rules; plugin images would pile up.");
        }
    },
};

// Resource types that hold the registry itself (and its images): deleting one loses every plugin image.
const REGISTRY_TYPES = [
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
    "azure-native:containerregistry:Registry",
    "alicloud:cr/registryEnterpriseInstance:RegistryEnterpriseInstance",
    "alicloud:cs/registryEnterpriseNamespace:RegistryEnterpriseNamespace",
    "alicloud:cr/namespace:Namespace",
];

/** In production stacks a registry cannot be deleted by an accidental `pulumi destroy` or replacement. */
export const prodRegistriesProtected: ResourceValidationPolicy = {
    name: "prod-registries-protected",
    description: "Registries in stacks whose name starts with prod are protected.",
    validateResource: (args, report) => {
        if (!REGISTRY_TYPES.includes(args.type)) {
            return;
        }
        // urn:pulumi:<stack>::<project>::<type>::<name>
        const stack = args.urn.split(":")[2] ?? "";
        if (stack.startsWith("prod") && !args.opts.protect) {
            report(`stack "${stack}" is a production stack: create ${args.name} with { protect: true }.`);
        }
    },
};
