/**
 * Which process runs the resources that wrap engines (the push check, the image mirror, the TCR namespace and token).
 *
 * - `dynamic` (the default: a TypeScript program imports `DifyPluginRegistry`): `pulumi.dynamic.Resource`s. The
 *   engine's dynamic-provider host runs their serialized providers from the program's own `node_modules`, where this
 *   package is, and no plugin has to be installed.
 * - `package` (the multi-language provider constructs the component, `provider/construct.ts`): `pulumi.CustomResource`s
 *   under this package's tokens, served by the package's own provider (`provider/customResources.ts`), with the same
 *   provider objects. A Python, Go, .NET, Java or YAML program's directory has no `node_modules`, and the engine starts
 *   the dynamic-provider host there (pulumi/pulumi#5455), so a dynamic resource cannot run under it.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Where the engine-wrapping resources of one component run; `package` carries the package version. */
export type ResourceHost = { readonly kind: "dynamic" } | { readonly kind: "package"; readonly version: string };

/** The default host: dynamic resources. */
export const DYNAMIC_HOST: ResourceHost = { kind: "dynamic" };

/** The type tokens of the resources the package's provider serves (`dify-plugin-registry:index:<name>`). */
export const PACKAGE_RESOURCE_TOKENS = {
    pushCheck: "dify-plugin-registry:index:RegistryPushCheck",
    imageMirror: "dify-plugin-registry:index:ImageMirror",
    tcrNamespace: "dify-plugin-registry:index:TcrNamespace",
    tcrToken: "dify-plugin-registry:index:TcrInstanceToken",
} as const;

/**
 * The options of a package-hosted resource: the engine picks the package's provider at the version that constructed
 * the component (so a newer plugin installed beside it does not serve older state).
 */
export function packageResourceOptions(
    host: Extract<ResourceHost, { kind: "package" }>,
    opts: pulumi.CustomResourceOptions | undefined,
): pulumi.CustomResourceOptions {
    return { ...opts, version: host.version };
}
