import { DockerRegistryArgs, dockerRegistry } from "./docker";
import { DockerHubRegistryArgs, dockerHubRegistry } from "./dockerhub";
import { RegistryKind } from "./registryKind";

export { DockerRegistryArgs } from "./docker";
export { DockerHubRegistryArgs } from "./dockerhub";
export * from "./registryKind";

/** The registry to push plugin images to, discriminated by `type`. */
export type RegistryArgs = DockerRegistryArgs | DockerHubRegistryArgs;

/** Every registry kind by its `type`. A new kind is one file plus one line here. */
const kinds: { readonly [K in RegistryArgs["type"]]: RegistryKind<Extract<RegistryArgs, { type: K }>> } = {
    docker: dockerRegistry,
    dockerhub: dockerHubRegistry,
};

/** The `type` values accepted in `registry.type`. */
export const registryTypes: readonly string[] = Object.keys(kinds);

/** Every registry kind, for code that works on all of them (the stack config schema). */
export const allRegistryKinds: readonly RegistryKind<RegistryArgs>[] = Object.values(kinds) as RegistryKind<RegistryArgs>[];

/** The kind for `type`, or undefined when there is none. */
export function registryKindFor(type: unknown): RegistryKind<RegistryArgs> | undefined {
    return typeof type === "string" && Object.prototype.hasOwnProperty.call(kinds, type)
        ? (kinds[type as RegistryArgs["type"]] as RegistryKind<RegistryArgs>)
        : undefined;
}
