/**
 * Alibaba Cloud Container Registry hosts and names (pure). Endpoint forms, as Alibaba Cloud documents them (see
 * docs/aliyun.md for the pages):
 * - Enterprise Edition: `<instance name>-registry.<region>.cr.aliyuncs.com`, VPC `<instance name>-registry-vpc.<region>.cr.aliyuncs.com`;
 * - Personal Edition (instances created before 2024-09-09): `registry.<region>.aliyuncs.com`.
 */

export const EDITIONS = ["enterprise", "personal"] as const;
/** A Container Registry edition: `enterprise` or `personal`. */
export type AliyunEdition = (typeof EDITIONS)[number];
/** Networks the default endpoint is chosen for: the internet, or (Enterprise Edition only) the instance's VPC. */
export const NETWORKS = ["public", "vpc"] as const;
/** The network pushes reach the registry over: `public` or `vpc`. */
export type AliyunNetwork = (typeof NETWORKS)[number];
/** Instance types `cr.RegistryEnterpriseInstance` can create. */
export const INSTANCE_TYPES = ["Basic", "Standard", "Advanced"] as const;

/** The registry host for an edition, instance and network. */
export function aliyunEndpoint(edition: AliyunEdition, region: string, network: AliyunNetwork, instanceName?: string): string {
    if (edition === "personal") {
        return `registry.${region}.aliyuncs.com`;
    }
    return `${instanceName}-registry${network === "vpc" ? "-vpc" : ""}.${region}.cr.aliyuncs.com`;
}

/** Why `region` is not a region id of the `cn-hangzhou` shape (`ap-southeast-1`, `cn-shanghai-finance-1`), or undefined. */
export function regionProblem(region: string | undefined): string | undefined {
    if (typeof region !== "string" || !/^[a-z]{2}-[a-z]+(?:-[a-z]+)*(?:-[0-9]+)?$/.test(region)) {
        return `${JSON.stringify(region)} is not an Alibaba Cloud region id such as "cn-hangzhou" or "ap-southeast-1"`;
    }
    return undefined;
}

/** Why `namespace` is not an ACR namespace (2-30 of lowercase letters, digits, `_`, `-`; a letter or digit at each end). */
export function namespaceProblem(namespace: string | undefined): string | undefined {
    if (
        typeof namespace !== "string" ||
        namespace.length < 2 ||
        namespace.length > 30 ||
        !/^[a-z0-9]+(?:(?:_|__|-+)[a-z0-9]+)*$/.test(namespace)
    ) {
        return (
            `${JSON.stringify(namespace)} is not an ACR namespace: 2-30 lowercase letters, digits, '_' or '-', ` +
            "starting and ending with a letter or digit (e.g. `dify-plugins`)"
        );
    }
    return undefined;
}

/** Why `name` is not an Enterprise Edition instance name (3-30 of lowercase letters, digits, `-`; no `-` at either end). */
export function instanceNameProblem(name: string | undefined): string | undefined {
    if (typeof name !== "string" || !/^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$/.test(name)) {
        return `${JSON.stringify(name)} is not an instance name: 3-30 lowercase letters, digits or '-', not starting or ending with '-'`;
    }
    return undefined;
}

/** Why `id` is not an Enterprise Edition instance id (`cri-…`), or undefined. */
export function instanceIdProblem(id: string | undefined): string | undefined {
    if (typeof id !== "string" || !/^cri-[a-z0-9]+$/.test(id)) {
        return `${JSON.stringify(id)} is not an Enterprise Edition instance id such as "cri-xkx6vujuhay0abcd"`;
    }
    return undefined;
}

/** Why `password` cannot be an instance login password (8-32 characters of at least two kinds), or undefined. */
export function instancePasswordProblem(password: string | undefined): string | undefined {
    if (typeof password !== "string" || password.length < 8 || password.length > 32) {
        return "the instance login password must be 8-32 characters";
    }
    const kinds = [/[a-zA-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((kind) => kind.test(password)).length;
    return kinds < 2 ? "the instance login password must mix at least two of letters, digits and symbols" : undefined;
}
