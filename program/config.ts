import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { z } from "zod";
import { DifyPluginRegistryArgs, RegistryArgs } from "../components";
import { chartSchema, mirrorImagesSchema, pluginConnectorSchema, pluginRegistryArgsSchema } from "../components/argsSchema";
import { checkShape } from "../components/schema";
import { allRegistryKinds } from "../components/registries";
import { ArgumentProblems } from "../components/validation";

/** The Pulumi project name: stack config keys are `dify-plugin-registry:<key>`. */
export const PROJECT = "dify-plugin-registry";

/**
 * Schema of the stack config: the component's own argument schemas (one schema per shape), with file paths for the two
 * values documents a stack cannot hold inline, every registry kind's block, and the Kubernetes provider.
 */
export const stackConfigSchema = pluginRegistryArgsSchema.extend({
    registry: z.discriminatedUnion("type", allRegistryKinds().map((k) => k.configSchema) as unknown as [z.ZodObject, ...z.ZodObject[]]),
    chart: chartSchema.omit({ defaultValues: true }).extend({
        /** This chart version's values.yaml (`helm show values`), relative to the project: read by the program. */
        defaultValuesFile: z.string().optional(),
    }),
    pluginConnector: pluginConnectorSchema
        .extend({
            mirrorImages: mirrorImagesSchema
                .omit({ chartValues: true })
                .extend({
                    /** A values.yaml (`helm show values`), read by the program: its images are mirrored too. */
                    chartValuesFile: z.string().optional(),
                })
                .optional(),
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
    checkShape(stackConfigSchema, raw, problems, "", {
        prefix: `${PROJECT}:`,
        replaced: {
            "chart.defaults": "was replaced by chart.defaultValuesFile: a path to the chart version's values.yaml (helm show values)",
        },
    });
    problems.throwIfAny(`Stack config of project ${PROJECT}`);
    return raw as StackConfig;
}

/** The component's arguments from the stack config, with every credential wrapped in `pulumi.secret`. */
export function toComponentArgs(config: StackConfig): DifyPluginRegistryArgs {
    // A missing registry or chart is reported by the component, with what would be valid.
    const kind = allRegistryKinds().find((k) => k.type === config.registry?.type);
    const registry: Record<string, unknown> = { ...config.registry };
    for (const key of kind?.secretKeys ?? []) {
        if (registry[key] !== undefined) {
            registry[key] = pulumi.secret(registry[key] as string);
        }
    }
    // The schema checked the shape; the component checks the meaning (e.g. chart.kind's values) with the same paths.
    const { defaultValuesFile, ...rest } = config.chart ?? {};
    const chart = rest as DifyPluginRegistryArgs["chart"];
    return {
        namespace: config.namespace,
        createNamespace: config.createNamespace,
        registry: registry as unknown as RegistryArgs,
        chart:
            defaultValuesFile === undefined
                ? chart
                : { ...chart, defaultValues: readConfigFile("chart.defaultValuesFile", defaultValuesFile) },
        pluginConnector: withMirrorImages(config.pluginConnector),
        ...(config.pushCheck !== undefined ? { pushCheck: withSecretAuth(config.pushCheck) } : {}),
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
function withMirrorImages(config: StackConfig["pluginConnector"]): DifyPluginRegistryArgs["pluginConnector"] {
    const connector = config as
        | (Omit<DifyPluginRegistryArgs["pluginConnector"], "mirrorImages"> &
              Pick<NonNullable<StackConfig["pluginConnector"]>, "mirrorImages">)
        | undefined;
    if (connector?.mirrorImages === undefined) {
        return connector as DifyPluginRegistryArgs["pluginConnector"];
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

/** `pushCheck` as the component takes it: a login given in config is wrapped in pulumi.secret. */
function withSecretAuth(pushCheck: NonNullable<StackConfig["pushCheck"]>): DifyPluginRegistryArgs["pushCheck"] {
    if (typeof pushCheck === "boolean" || pushCheck.auth === undefined) {
        return pushCheck;
    }
    return { ...pushCheck, auth: pulumi.secret(pushCheck.auth) };
}
