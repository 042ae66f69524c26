/**
 * The shape of {@link DifyPluginRegistryArgs} (without `registry`, whose shape is its kind's `configSchema`), checked
 * at run time by the component and, with file paths in place of the two values documents, by the stack config.
 * `test/argsSchema.test.ts` ties every Args interface to its schema: a key added to one and not the other fails
 * the type check.
 */
import { z } from "zod";
import { input, isEventual, looseObject, stringMap } from "./schema";

/** A string the component needs while the program runs (it names resources): an Output is refused with the reason. */
const plainString = (why: string) =>
    z.string({
        error: (issue) =>
            isEventual(issue.input) ? `must be a plain string, not an Output: ${why}` : `expected string, received ${typeof issue.input}`,
    });
const optionalString = z.string().optional();

/** `pluginConnector.images`. */
export const helperImagesSchema = z.strictObject({
    gateway: optionalString,
    shader: optionalString,
    busyBox: optionalString,
    awsCli: optionalString,
});

/** `pluginConnector.python`. */
export const pythonSchema = z.strictObject({
    pipMirror: optionalString,
    preCompile: z.boolean().optional(),
    versions: z.record(z.string(), z.string().nullable()).optional(),
});

/** `pluginConnector.mirrorImages.registries.<host>`. */
export const mirrorRegistrySchema = z.strictObject({ insecure: z.boolean().optional(), caFile: optionalString });

/** `pluginConnector.mirrorImages`. */
export const mirrorImagesSchema = z.strictObject({
    auth: input(z.string()).optional(),
    platforms: z.array(z.string()).optional(),
    chartValues: looseObject.optional(),
    chart: z.boolean().optional(),
    concurrency: z.number().optional(),
    registries: z.record(z.string(), mirrorRegistrySchema).optional(),
});

/** `pluginConnector.serviceAccounts`. */
export const serviceAccountNamesSchema = z.strictObject({ build: optionalString, runner: optionalString });

/** `pluginConnector`. */
export const pluginConnectorSchema = z.strictObject({
    nodeSelector: stringMap.optional(),
    affinity: looseObject.optional(),
    tolerations: z.array(looseObject).optional(),
    labels: stringMap.optional(),
    images: helperImagesSchema.optional(),
    python: pythonSchema.optional(),
    imageMirror: optionalString,
    mirrorImages: mirrorImagesSchema.optional(),
    serviceAccounts: serviceAccountNamesSchema.optional(),
});

/** `chart`. The version's grammar and `kind`'s values are checked by the component, with the valid ones named. */
export const chartSchema = z.strictObject({
    version: z.string(),
    repository: optionalString,
    chart: optionalString,
    username: optionalString,
    password: input(z.string()).optional(),
    auth: input(z.string()).optional(),
    caFile: optionalString,
    fromMirror: z.boolean().optional(),
    releaseName: optionalString,
    kind: optionalString,
    values: looseObject.optional(),
    valuesFile: optionalString,
    defaultValues: z.union([z.string(), looseObject]).optional(),
    secretValues: z.boolean().optional(),
    skipAwait: z.boolean().optional(),
    timeout: z.number().int().positive().optional(),
});

/** `pushCheck` as an object (`true` / `false` otherwise). */
export const pushCheckArgsSchema = z.strictObject({ auth: input(z.string()).optional(), caFile: optionalString });

/** {@link DifyPluginRegistryArgs}; `registry` is checked against its kind's schema once its `type` is known. */
export const pluginRegistryArgsSchema = z.strictObject({
    namespace: plainString("the namespace names the Secret, the ServiceAccounts and the release while the program runs").optional(),
    createNamespace: z.boolean().optional(),
    registry: z.unknown(),
    chart: chartSchema,
    pluginConnector: pluginConnectorSchema.optional(),
    pushCheck: z.union([z.boolean(), pushCheckArgsSchema]).optional(),
});
