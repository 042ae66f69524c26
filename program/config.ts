import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { z } from "zod";
import { DifyPluginRegistryArgs, RegistryArgs } from "../components";
import { allRegistryKinds } from "../components/registries";
import { ArgumentProblems } from "../components/validation";

/** The Pulumi project name: stack config keys are `dify-plugin-registry:<key>`. */
export const PROJECT = "dify-plugin-registry";

const stringMap = z.record(z.string(), z.string());
const looseObject = z.record(z.string(), z.unknown());

const helperImages = z.strictObject({
    gateway: z.string().optional(),
    shader: z.string().optional(),
    busyBox: z.string().optional(),
    awsCli: z.string().optional(),
});

/** Schema of the stack config. Keys mirror {@link DifyPluginRegistryArgs}; semantics are checked by the component. */
export const stackConfigSchema = z.strictObject({
    namespace: z.string().optional(),
    createNamespace: z.boolean().optional(),
    registry: z.discriminatedUnion("type", allRegistryKinds().map((k) => k.configSchema) as unknown as [z.ZodObject, ...z.ZodObject[]]),
    chart: z.strictObject({
        version: z.string(),
        repository: z.string().optional(),
        chart: z.string().optional(),
        releaseName: z.string().optional(),
        kind: z.enum(["chart", "release"]).optional(),
        values: looseObject.optional(),
        skipAwait: z.boolean().optional(),
        timeout: z.number().int().positive().optional(),
        /** This chart version's values.yaml (`helm show values`), relative to the project: read by the program. */
        defaultValuesFile: z.string().optional(),
    }),
    pluginConnector: z
        .strictObject({
            nodeSelector: stringMap.optional(),
            affinity: looseObject.optional(),
            tolerations: z.array(looseObject).optional(),
            labels: stringMap.optional(),
            images: helperImages.optional(),
            python: z
                .strictObject({
                    pipMirror: z.string().optional(),
                    preCompile: z.boolean().optional(),
                    versions: z.record(z.string(), z.string().nullable()).optional(),
                })
                .optional(),
            imageMirror: z.string().optional(),
            mirrorImages: z
                .strictObject({
                    /** Docker config JSON; set it with `pulumi config set --secret --path`. Wrapped in pulumi.secret. */
                    auth: z.string().optional(),
                    platforms: z.array(z.string()).optional(),
                    /** A values.yaml (`helm show values`), read by the program: its images are mirrored too. */
                    chartValuesFile: z.string().optional(),
                    concurrency: z.number().int().positive().optional(),
                    registries: z
                        .record(z.string(), z.strictObject({ insecure: z.boolean().optional(), caFile: z.string().optional() }))
                        .optional(),
                })
                .optional(),
            serviceAccounts: z.strictObject({ build: z.string().optional(), runner: z.string().optional() }).optional(),
        })
        .optional(),
    /** The Kubernetes provider; unset means the ambient kubeconfig. */
    kubernetes: z
        .strictObject({
            renderYamlToDirectory: z.string().optional(),
            kubeconfig: z.string().optional(),
            context: z.string().optional(),
            enableServerSideApply: z.boolean().optional(),
        })
        .optional(),
});

/** The stack config as plain data (credentials not yet wrapped). */
export type StackConfig = z.infer<typeof stackConfigSchema>;

/** Top-level config keys the program reads. */
export const CONFIG_KEYS = Object.keys(stackConfigSchema.shape) as (keyof StackConfig)[];

/**
 * Reads `dify-plugin-registry:*` from the stack config and validates it. Throws one error that names every bad key
 * (`registry.prefix`, `chart.version`, …) before anything is created.
 */
export function readStackConfig(): StackConfig {
    const config = new pulumi.Config(PROJECT);
    const raw: Record<string, unknown> = {};
    const problems = new ArgumentProblems();
    for (const key of CONFIG_KEYS) {
        try {
            // getObject parses JSON and returns plain values; credentials are re-wrapped as secrets in toComponentArgs.
            const value = config.getObject<unknown>(key);
            if (value !== undefined) {
                raw[key] = value;
            }
        } catch {
            raw[key] = config.get(key);
        }
    }
    return parseStackConfig(raw, problems);
}

/** Validates already-parsed config values (what {@link readStackConfig} does after reading them). */
export function parseStackConfig(raw: Record<string, unknown>, problems = new ArgumentProblems()): StackConfig {
    const result = stackConfigSchema.safeParse(raw);
    if (!result.success) {
        for (const issue of result.error.issues) {
            const path = issue.path.join(".") || "(root)";
            const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
            problems.add(`${PROJECT}:${path}`, `${issue.message}${keys}`);
        }
    }
    problems.throwIfAny(`Stack config of project ${PROJECT}`);
    return result.data!;
}

/** The component's arguments from the stack config, with every credential wrapped in `pulumi.secret`. */
export function toComponentArgs(config: StackConfig): DifyPluginRegistryArgs {
    const kind = allRegistryKinds().find((k) => k.type === config.registry.type)!;
    const registry: Record<string, unknown> = { ...config.registry };
    for (const key of kind.secretKeys) {
        if (registry[key] !== undefined) {
            registry[key] = pulumi.secret(registry[key] as string);
        }
    }
    const { defaultValuesFile, ...chart } = config.chart;
    return {
        namespace: config.namespace,
        createNamespace: config.createNamespace,
        registry: registry as unknown as RegistryArgs,
        chart:
            defaultValuesFile === undefined
                ? chart
                : { ...chart, defaultValues: readConfigFile("chart.defaultValuesFile", defaultValuesFile) },
        pluginConnector: withMirrorImages(config.pluginConnector),
    };
}

/**
 * A file named in stack config, relative to the project directory (where `pulumi` runs the program). A missing or
 * unreadable file is an error naming the config key.
 */
export function readConfigFile(key: string, file: string): string {
    const resolved = path.resolve(file);
    try {
        return fs.readFileSync(resolved, "utf8");
    } catch (err) {
        const problems = new ArgumentProblems();
        const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
        problems.add(`${PROJECT}:${key}`, `${reason}: ${resolved} (paths are relative to the project directory ${process.cwd()})`);
        problems.throwIfAny(`Stack config of project ${PROJECT}`);
        throw err;
    }
}

/** `mirrorImages` as the component takes it: the login secret, the chart values file read. */
function withMirrorImages(connector: StackConfig["pluginConnector"]): DifyPluginRegistryArgs["pluginConnector"] {
    if (connector?.mirrorImages === undefined) {
        return connector;
    }
    const { auth, chartValuesFile, ...rest } = connector.mirrorImages;
    return {
        ...connector,
        mirrorImages: {
            ...rest,
            ...(auth !== undefined ? { auth: pulumi.secret(auth) } : {}),
            ...(chartValuesFile !== undefined
                ? {
                      chartValues: YAML.parse(readConfigFile("pluginConnector.mirrorImages.chartValuesFile", chartValuesFile)) as Record<
                          string,
                          unknown
                      >,
                  }
                : {}),
        },
    };
}
