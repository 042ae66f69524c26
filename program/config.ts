import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { z } from "zod";
import { DifyPluginRegistryArgs, RegistryArgs } from "../components";
import { chartSchema, mirrorImagesSchema, pluginConnectorSchema, pluginRegistryArgsSchema } from "../components/argsSchema";
import { checkShape } from "../components/schema";
import { allRegistryKinds, registryTypes, unknownRegistryTypeProblem } from "../components/registries";
import { ArgumentProblems } from "../components/validation";
import { readValuesFile, resolveValuesFile } from "../components/valuesFile";

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
            /**
             * Helm's registry config (docker config JSON: `{"auths":{"<host>":{"auth":"…"}}}`), the provider's
             * `helmReleaseSettings.registryConfigPath`: where the Kubernetes provider's Helm reads the login of an OCI
             * chart (`chart.chart: oci://…`, `chart.fromMirror`) — it does not send `repositoryOpts`' login to an OCI
             * registry. Relative to the project directory.
             */
            helmRegistryConfig: z.string().optional(),
        })
        .optional(),
});

/** The stack config as plain data (credentials not yet wrapped). */
export type StackConfig = z.infer<typeof stackConfigSchema>;

/** Top-level config keys the program reads. */
export const CONFIG_KEYS = Object.keys(stackConfigSchema.shape) as (keyof StackConfig)[];

/**
 * Every top-level key of this project's namespace in the stack config (`dify-plugin-registry:<key>` → `<key>`), the
 * misspelled ones included: a key the program does not read is refused by name, not ignored. Keys of other namespaces
 * (`kubernetes:`, `aws:`) belong to their providers.
 */
export function projectConfigKeys(): string[] {
    const prefix = `${PROJECT}:`;
    return Object.keys(pulumi.runtime.allConfig())
        .filter((key) => key.startsWith(prefix))
        .map((key) => key.slice(prefix.length));
}

/**
 * Reads every `dify-plugin-registry:*` key of the stack config and validates it. Throws one error that names every
 * bad key (`registry.prefix`, `chart.version`, an unknown `pushcheck` with the nearest valid key, …) before anything
 * is created.
 */
export function readStackConfig(): StackConfig {
    const config = new pulumi.Config(PROJECT);
    const raw: Record<string, unknown> = {};
    const problems = new ArgumentProblems();
    for (const key of projectConfigKeys()) {
        try {
            // getObject parses JSON and returns plain values; toComponentArgs keeps secret keys secret (secretConfigKeys).
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

/**
 * The top-level keys (`registry`, `chart`, …) the stack config marks secret. `pulumi config set --secret --path
 * chart.values.x.password` encrypts one leaf, but the engine tells the program only that the top-level key `chart`
 * holds a secret (its secret-keys list names top-level keys: a config value is secure when any leaf inside it is), so
 * the program treats the whole key as secret.
 */
export function secretConfigKeys(keys: readonly string[] = projectConfigKeys()): Set<string> {
    // The SDK's own test for "this key holds a secret" (runtime/config.js, marked internal, present throughout 3.x).
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };
    if (typeof runtimeConfig.isConfigSecret !== "function") {
        throw new Error(
            "@pulumi/pulumi no longer exports runtime/config isConfigSecret: the program cannot tell which stack config keys are secret",
        );
    }
    return new Set(keys.filter((key) => runtimeConfig.isConfigSecret!(`${PROJECT}:${key}`)));
}

/** Validates already-parsed config values (what {@link readStackConfig} does after reading them). */
export function parseStackConfig(raw: Record<string, unknown>, problems = new ArgumentProblems()): StackConfig {
    // An unknown registry.type in the component's words (not zod's discriminator message); the rest is still checked.
    const registry = raw.registry as Record<string, unknown> | undefined;
    const unknownType = typeof registry === "object" && registry !== null && !registryTypes.includes(registry.type as string);
    if (unknownType) problems.add(`${PROJECT}:registry.type`, unknownRegistryTypeProblem(registry.type));
    const { registry: _unknownKind, ...withoutRegistry } = raw;
    checkShape(stackConfigSchema, unknownType ? withoutRegistry : raw, problems, "", {
        prefix: `${PROJECT}:`,
        replaced: {
            "chart.defaults": "was replaced by chart.defaultValuesFile: a path to the chart version's values.yaml (helm show values)",
        },
    });
    problems.throwIfAny(`Stack config of project ${PROJECT}`);
    return raw as StackConfig;
}

/**
 * The component's arguments from the stack config. Credentials are always wrapped in `pulumi.secret`; a top-level key
 * marked secret (`secret`, from {@link secretConfigKeys}) stays secret as a whole wherever it reaches a resource input:
 * - `registry`: its kind's credentials (`secretKeys`); its other keys name the registry and are written in plain text
 *   (image references, IAM policies), so a secret `registry` without a credential is refused;
 * - `chart`: `chart.values` become one secret (`chart.secretValues`, as they do whenever `chart.valuesFile` is given);
 *   `chart.password` and `chart.auth` are always secret; a secret `chart` without any of these is refused (its
 *   other keys — version, repository, release name — are written in plain text);
 * - `pluginConnector`: `mirrorImages.auth`, and everything else as part of the chart's values (`chart.secretValues`);
 * - `pushCheck`: its `auth` (a secret `pushCheck` without one is refused);
 * - `namespace`, `createNamespace`: refused (they name resources);
 * - `kubernetes`: every setting of the provider ({@link kubernetesProviderArgs}).
 * Throws before anything is created.
 */
export function toComponentArgs(config: StackConfig, secret: ReadonlySet<string> = new Set()): DifyPluginRegistryArgs {
    const problems = new ArgumentProblems();
    refuseUnkeepableSecrets(config, secret, problems);
    problems.throwIfAny(`Stack config of project ${PROJECT}`);
    // A missing registry or chart is reported by the component, with what would be valid.
    const kind = allRegistryKinds().find((k) => k.type === config.registry?.type);
    const registry: Record<string, unknown> = { ...config.registry };
    for (const key of kind?.secretKeys ?? []) {
        if (registry[key] !== undefined) {
            registry[key] = pulumi.secret(registry[key] as string);
        }
    }
    // The schema checked the shape; the component checks the meaning (e.g. chart.kind's values) with the same paths.
    const { defaultValuesFile, valuesFile, ...rest } = config.chart ?? {};
    const secretValues = secret.has("chart") || secret.has("pluginConnector") || rest.secretValues === true;
    const chart = {
        ...rest,
        // The chart server's login is a credential: secret however it was set.
        ...(rest.password !== undefined ? { password: pulumi.secret(rest.password) } : {}),
        ...(rest.auth !== undefined ? { auth: pulumi.secret(rest.auth) } : {}),
        ...(secretValues ? { secretValues } : {}),
        // Checked here to name the stack config key; the component reads it from the resolved path.
        ...(valuesFile !== undefined ? { valuesFile: checkedValuesFile(valuesFile) } : {}),
    } as DifyPluginRegistryArgs["chart"];
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

/** The Kubernetes provider's arguments: the kubeconfig always secret, and every setting when `kubernetes` is secret. */
export function kubernetesProviderArgs(
    config: NonNullable<StackConfig["kubernetes"]>,
    secret: ReadonlySet<string> = new Set(),
): Record<string, pulumi.Input<unknown> | undefined> {
    const all = secret.has("kubernetes");
    const wrap = <T>(value: T | undefined, always = false) =>
        value === undefined ? undefined : all || always ? pulumi.secret(value) : value;
    return {
        renderYamlToDirectory: wrap(config.renderYamlToDirectory),
        // A kubeconfig is a cluster credential (its text, or the path of one): secret whether or not config says so.
        kubeconfig: wrap(config.kubeconfig, true),
        context: wrap(config.context),
        enableServerSideApply: wrap(config.enableServerSideApply),
        helmReleaseSettings:
            config.helmRegistryConfig === undefined ? undefined : { registryConfigPath: wrap(path.resolve(config.helmRegistryConfig)) },
    };
}

/** Secret-marked keys whose secret the program cannot keep: refused, naming the key and what would keep it. */
function refuseUnkeepableSecrets(config: StackConfig, secret: ReadonlySet<string>, problems: ArgumentProblems): void {
    const refuse = (key: string, reason: string) =>
        problems.add(`${PROJECT}:${key}`, `is marked secret in the stack config, but ${reason}; set it without --secret`);
    for (const key of ["namespace", "createNamespace"] as const) {
        if (secret.has(key)) {
            refuse(key, "it names the namespace of every object the component creates, which is written in plain text");
        }
    }
    if (secret.has("registry") && config.registry !== undefined) {
        const kind = allRegistryKinds().find((k) => k.type === config.registry.type);
        const credentials = kind?.secretKeys ?? [];
        const holdsCredential = credentials.some((key) => (config.registry as Record<string, unknown>)[key] !== undefined);
        if (kind !== undefined && !holdsCredential) {
            refuse(
                "registry",
                `it holds no credential (${credentials.length > 0 ? `registry.${credentials.join(", registry.")}` : `registry type "${kind.type}" takes none`}), ` +
                    "and its other keys name the registry, which is written in plain text (image references, IAM policies, outputs)",
            );
        }
    }
    const c = config.chart;
    if (secret.has("chart") && c !== undefined && [c.values, c.valuesFile, c.password, c.auth].every((v) => v === undefined)) {
        refuse(
            "chart",
            "only chart.values (as a whole, with chart.valuesFile's values), chart.password and chart.auth can be kept secret; chart.version, repository, chart, username, releaseName and the other keys are written in plain text",
        );
    }
    if (secret.has("pushCheck") && (typeof config.pushCheck !== "object" || config.pushCheck.auth === undefined)) {
        refuse("pushCheck", "only pushCheck.auth can be kept secret; enabled and caFile are written in plain text");
    }
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

/**
 * `chart.valuesFile` resolved against the project directory, checked now so a missing or malformed file is an error
 * naming the stack config key and the resolved path, before anything is created.
 */
function checkedValuesFile(file: string): string {
    const read = readValuesFile(file);
    if ("problem" in read) {
        const problems = new ArgumentProblems();
        problems.add(`${PROJECT}:chart.valuesFile`, read.problem);
        problems.throwIfAny(`Stack config of project ${PROJECT}`);
    }
    return resolveValuesFile(file);
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
