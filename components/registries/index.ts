import * as pulumi from "@pulumi/pulumi";
import type { AcrRegistryArgs } from "./acr";
import type { AliyunRegistryArgs } from "./aliyun";
import { DockerRegistryArgs, dockerRegistry } from "./docker";
import { DockerHubRegistryArgs, dockerHubRegistry } from "./dockerhub";
import type { EcrRegistryArgs } from "./ecr";
import { RegistryKind } from "./registryKind";
import type { TcrRegistryArgs } from "./tcr";

export type { AcrCredentialArgs, AcrRegistryArgs } from "./acr";
export type { AliyunEnterpriseInstanceArgs, AliyunRegistryArgs } from "./aliyun";
export type { DockerRegistryArgs } from "./docker";
export type { DockerHubRegistryArgs } from "./dockerhub";
export type { EcrAccessKeyAuthArgs, EcrAuthArgs, EcrIrsaAuthArgs, EcrPodIdentityAuthArgs, EcrRegistryArgs, EcrRepositoryArgs } from "./ecr";
export * from "./registryKind";
export type { TcrRegistryArgs } from "./tcr";

/** The registry to push plugin images to, discriminated by `type`. */
export type RegistryArgs =
    | DockerRegistryArgs
    | DockerHubRegistryArgs
    | EcrRegistryArgs
    | AcrRegistryArgs
    | AliyunRegistryArgs
    | TcrRegistryArgs;

type KindOf<K extends RegistryArgs["type"]> = RegistryKind<Extract<RegistryArgs, { type: K }>>;

/**
 * Every registry kind by its `type`, loaded on first use: the cloud SDKs are optional peer dependencies, so a program
 * that only uses `docker` needs neither `@pulumi/aws` nor `@pulumi/azure-native`. A new kind is one file plus one line.
 */
const kinds: { readonly [K in RegistryArgs["type"]]: () => KindOf<K> } = {
    docker: () => dockerRegistry,
    dockerhub: () => dockerHubRegistry,
    ecr: () => (require("./ecr") as typeof import("./ecr")).ecrRegistry,
    acr: () => (require("./acr") as typeof import("./acr")).acrRegistry,
    aliyun: () => (require("./aliyun") as typeof import("./aliyun")).aliyunRegistry,
    tcr: () => (require("./tcr") as typeof import("./tcr")).tcrRegistry,
};

/** The optional peer dependencies (and the ranges package.json declares) each cloud kind loads. */
export const OPTIONAL_PEERS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
    ecr: { "@pulumi/aws": "^7.0.0" },
    acr: { "@pulumi/azure-native": "^3.0.0", "@pulumi/azuread": "^6.0.0" },
    aliyun: { "@pulumi/alicloud": "^3.0.0" },
    tcr: { "tencentcloud-sdk-nodejs": "^4.1.0" },
};

/** Raised when a kind's optional peer dependency is not installed: names `registry.type`, the package and the range. */
export class MissingPeerError extends pulumi.InputPropertiesError {
    constructor(type: string, missing: readonly [string, string][]) {
        const install = missing.map(([name, range]) => `${name}@${range}`).join(" ");
        const reason =
            `registry.type "${type}" needs ${missing.map(([name, range]) => `${name} (${range})`).join(" and ")}, ` +
            `an optional peer dependency that is not installed: npm install ${install}`;
        super({ message: `DifyPluginRegistry: ${reason}`, errors: [{ propertyPath: "registry.type", reason }] });
    }
}

/** Kinds whose peers were found: resolving them again for every instance is file-system work for nothing. */
const peersFound = new Set<string>();

function checkPeers(type: string): void {
    if (peersFound.has(type)) {
        return;
    }
    const missing = Object.entries(OPTIONAL_PEERS[type] ?? {}).filter(([name]) => !resolvable(name));
    if (missing.length > 0) {
        throw new MissingPeerError(type, missing);
    }
    peersFound.add(type);
}

function resolvable(name: string): boolean {
    try {
        require.resolve(name);
        return true;
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return false;
        throw err;
    }
}

/** The `type` values accepted in `registry.type`. */
export const registryTypes: readonly string[] = Object.keys(kinds);

/** What is wrong with a `registry.type` that names no kind: the same words for a program's arguments and stack config. */
export function unknownRegistryTypeProblem(type: unknown): string {
    const valid = `valid types: ${registryTypes.map((t) => `"${t}"`).join(", ")}`;
    return type === undefined ? `is required; ${valid}` : `unknown registry type ${JSON.stringify(type)}; ${valid}`;
}

/** Every registry kind (loads every cloud SDK): for code that works on all of them, like the stack config schema. */
export function allRegistryKinds(): readonly RegistryKind<RegistryArgs>[] {
    return registryTypes.map((type) => registryKindFor(type)!);
}

/** The kind for `type`, or undefined when there is none. */
export function registryKindFor(type: unknown): RegistryKind<RegistryArgs> | undefined {
    if (typeof type !== "string" || !Object.hasOwn(kinds, type)) {
        return undefined;
    }
    // Before loading the kind: a bare "Cannot find module" with a require stack tells a user nothing.
    checkPeers(type);
    return kinds[type as RegistryArgs["type"]]() as RegistryKind<RegistryArgs>;
}
