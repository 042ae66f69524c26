import type { AliyunRegistryArgs } from "./aliyun/args";
import { dockerLoginJson, joinPrefix } from "./login";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { inputString } from "../schema";
import { hostPortProblem, InputChecks, isPlain, loginUserProblem, requireNonEmpty } from "../validation";
import {
    aliyunEndpoint,
    EDITIONS,
    INSTANCE_TYPES,
    instanceIdProblem,
    instanceNameProblem,
    instancePasswordProblem,
    namespaceProblem,
    NETWORKS,
    regionProblem,
} from "./aliyun/endpoints";
import { enterpriseNamespace, personalNamespace } from "./aliyun/resources";
import { ProvisionedRegistry, RegistryContext, RegistryKind } from "./registryKind";

export type { AliyunEnterpriseInstanceArgs, AliyunRegistryArgs } from "./aliyun/args";

const ENTERPRISE_ONLY = ["instanceName", "instanceId", "newInstance"] as const;
const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(", ");

/** The `aliyun` registry kind: a namespace in an Enterprise Edition instance (existing or new) or the Personal Edition. */
export const aliyunRegistry: RegistryKind<AliyunRegistryArgs> = {
    type: "aliyun",
    configSchema: z.strictObject({
        type: z.literal("aliyun"),
        // Any string for the enumerations: validate() names the valid values.
        edition: z.string(),
        region: inputString,
        namespace: inputString,
        network: z.string().optional(),
        endpoint: inputString.optional(),
        username: inputString,
        password: inputString,
        instanceName: inputString.optional(),
        instanceId: inputString.optional(),
        newInstance: z
            .strictObject({
                instanceType: z.string().optional(),
                period: z.number().optional(),
                renewalStatus: z.string().optional(),
                renewPeriod: z.number().optional(),
            })
            .optional(),
    }),
    secretKeys: ["password"],

    validate(args: AliyunRegistryArgs, checks: InputChecks): void {
        const { problems } = checks;
        checks.check("registry.region", args.region, regionProblem);
        checks.check("registry.namespace", args.namespace, namespaceProblem);
        checks.check("registry.username", args.username, loginUserProblem("the Alibaba Cloud account or RAM user name"));
        checks.check("registry.password", args.password, requireNonEmpty("the registry login password"));
        if (args.network !== undefined && !NETWORKS.includes(args.network)) {
            problems.add("registry.network", `unknown network ${JSON.stringify(args.network)}; valid networks: ${quoted(NETWORKS)}`);
        }
        if (args.endpoint !== undefined) {
            checks.check("registry.endpoint", args.endpoint, hostPortProblem);
            if (args.network !== undefined) {
                problems.add("registry.network", "chooses the default endpoint; remove it when registry.endpoint is given");
            }
        }
        if (args.edition === "enterprise") {
            validateEnterprise(args, checks);
        } else if (args.edition === "personal") {
            for (const key of ENTERPRISE_ONLY.filter((k) => args[k] !== undefined)) {
                problems.add(`registry.${key}`, 'applies to edition "enterprise" only; remove it for the personal edition');
            }
            if (args.network === "vpc") {
                problems.add(
                    "registry.network",
                    'network "vpc" needs edition "enterprise"; use network "public" (or move to an Enterprise Edition instance)',
                );
            }
        } else {
            const what = args.edition === undefined ? "is required" : `unknown edition ${JSON.stringify(args.edition)}`;
            problems.add("registry.edition", `${what}; valid editions: ${quoted(EDITIONS)} (enterprise is recommended)`);
        }
    },

    provision(args: AliyunRegistryArgs, ctx: RegistryContext): ProvisionedRegistry {
        const opts: pulumi.CustomResourceOptions = { parent: ctx.parent, dependsOn: ctx.dependsOn };
        const network = args.network ?? "public";
        const endpoint =
            args.endpoint ??
            (isPlain(args.region) && isPlain(args.instanceName)
                ? aliyunEndpoint(args.edition, args.region as string, network, args.instanceName as string | undefined)
                : pulumi
                      .all([args.region, args.instanceName])
                      .apply(([region, name]) => aliyunEndpoint(args.edition, region, network, name)));
        const { namespace, instanceId } =
            args.edition === "enterprise" ? enterpriseNamespace(args, ctx.name, opts) : personalNamespace(args, ctx.name, opts);
        return {
            imageRepoPrefix: joinPrefix(endpoint, args.namespace),
            imageRepoType: "docker",
            insecure: false,
            dockerConfigJson: dockerLoginJson({ server: endpoint, username: args.username, password: args.password }),
            // Pushes into a namespace that does not exist yet are refused: the chart waits for it.
            dependencies: [namespace],
            outputs: { endpoint, namespace: args.namespace, ...(instanceId !== undefined ? { instanceId } : {}) },
        };
    },
};

function validateEnterprise(args: AliyunRegistryArgs, checks: InputChecks): void {
    const { problems } = checks;
    checks.check("registry.instanceName", args.instanceName, (v) =>
        v === undefined
            ? "is required for the enterprise edition: the instance's name, which its endpoints are named after"
            : instanceNameProblem(v),
    );
    if (args.instanceId !== undefined && args.newInstance !== undefined) {
        problems.add("registry.instanceId", "use an existing instance or create one, not both: remove instanceId or newInstance");
    } else if (args.instanceId === undefined && args.newInstance === undefined) {
        problems.add(
            "registry.instanceId",
            "is required for the enterprise edition: give instanceId (an existing `cri-…` instance) or newInstance (create one)",
        );
    }
    if (args.instanceId !== undefined) {
        checks.check("registry.instanceId", args.instanceId, instanceIdProblem);
    }
    const instance = args.newInstance;
    if (instance === undefined) {
        return;
    }
    // The component sets the new instance's login password: it must pass the instance's rules.
    checks.check("registry.password", args.password, (v) => (v === undefined || v === "" ? undefined : instancePasswordProblem(v)));
    if (instance.instanceType !== undefined && !INSTANCE_TYPES.includes(instance.instanceType)) {
        problems.add(
            "registry.newInstance.instanceType",
            `unknown instance type ${JSON.stringify(instance.instanceType)}; valid types: ${quoted(INSTANCE_TYPES)}`,
        );
    }
    for (const key of ["period", "renewPeriod"] as const) {
        const months = instance[key];
        if (months !== undefined && (!Number.isInteger(months) || months < 1)) {
            problems.add(`registry.newInstance.${key}`, `must be a whole number of months, 1 or more, got ${JSON.stringify(months)}`);
        }
    }
    if (instance.renewalStatus !== undefined && instance.renewalStatus !== "ManualRenewal" && instance.renewalStatus !== "AutoRenewal") {
        problems.add(
            "registry.newInstance.renewalStatus",
            `must be "ManualRenewal" or "AutoRenewal", got ${JSON.stringify(instance.renewalStatus)}`,
        );
    } else if (instance.renewalStatus === "AutoRenewal" && instance.renewPeriod === undefined) {
        problems.add("registry.newInstance.renewPeriod", 'is required with renewalStatus "AutoRenewal": months per renewal');
    }
}
