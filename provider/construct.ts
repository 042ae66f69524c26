/**
 * `Construct` of the multi-language face: resolves what the engine sent, maps it onto `DifyPluginRegistryArgs` and
 * creates the very same `DifyPluginRegistry`, registered under the package's token.
 */
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry } from "../components/pluginRegistry";
import { planPluginRegistry } from "../components/plan";
import { registryKindFor } from "../components/registries";
import type { ResourceHost } from "../components/resources/host";
import { type InputsSchema, type PathDependencies, type PropertyPath, withDependencies } from "./dependencies";
import { MultiLanguageArgs, toDifyPluginRegistryArgs } from "./multiLanguageArgs";
import { PLUGIN_REGISTRY_TOKEN, packageSchema } from "./schema";
import { packageVersion } from "./version";

/**
 * `DifyPluginRegistry` under `dify-plugin-registry:index:PluginRegistry`: a package's resource tokens start with its
 * name, and the engine records the component under the type its class registers (not the one the program asked for). The class is the
 * TypeScript one; only the token differs, so TypeScript stacks keep their URNs.
 */
export class PackagedPluginRegistry extends DifyPluginRegistry {
    protected static override readonly pulumiType: string = PLUGIN_REGISTRY_TOKEN;
    /**
     * The push check, the image mirror and the TCR resources as this package's custom resources, served by this very
     * provider (`customResources.ts`): a dynamic resource cannot run under a program that has no `node_modules`.
     */
    protected static override readonly resourceHost: ResourceHost = { kind: "package", version: packageVersion() };
}

/** The outputs the schema declares, in the order it lists them. */
export const OUTPUT_NAMES = [
    "namespace",
    "secretName",
    "imageRepoPrefix",
    "imageRepoType",
    "pluginConnectorValues",
    "registryOutputs",
] as const;

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";
const isRpcSecret = (v: unknown): v is { value: unknown } =>
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG] === SECRET_SIG_VALUE;

/** What the SDK's Output keeps internally: known-ness and secretness, read without making a new Output. */
interface OutputInternals {
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
    promise(withUnknowns?: boolean): Promise<unknown>;
}

const sdkOutput = require("@pulumi/pulumi/output") as {
    /** The SDK's marker for a value not known during a preview, as deserialized from the engine. */
    unknown: unknown;
    /** Every resource an Output depends on, its nested Outputs' included. */
    getAllResources(output: pulumi.Output<unknown>): Promise<Set<pulumi.Resource>>;
};
const UNKNOWN_VALUE = sdkOutput.unknown;

/** What resolving the inputs found besides their values: which paths were secret, which depended on resources. */
interface Found {
    readonly secretPaths: Set<string>;
    readonly dependencies: PathDependencies[];
}

/** An Output not known yet (preview): the component checks it, and its children take it, once it is known. */
function unknownOutput(): pulumi.Output<unknown> {
    const Output = pulumi.Output as unknown as new (...args: unknown[]) => pulumi.Output<unknown>;
    return new Output([], Promise.resolve(undefined), Promise.resolve(false), Promise.resolve(false), Promise.resolve([]));
}

/** `path` as the secret paths name it: `pluginConnector.mirrorImages.auth`, `acr.owners[0]`. */
const dotted = (path: PropertyPath) => path.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s ? `${s}.${k}` : k), "");

async function resolve(value: unknown, found: Found, path: PropertyPath): Promise<unknown> {
    if (value === UNKNOWN_VALUE) {
        return unknownOutput();
    }
    if (pulumi.Output.isInstance(value)) {
        const out = value as unknown as OutputInternals;
        if (await out.isSecret) {
            found.secretPaths.add(dotted(path));
        }
        found.dependencies.push({ path, resources: [...(await sdkOutput.getAllResources(value))] });
        // With unknowns: a block that is unknown only in part resolves to its known values and unknown leaves.
        const inner = await out.promise(true);
        if (!(await out.isKnown) && (inner === undefined || inner === UNKNOWN_VALUE)) {
            return value;
        }
        return resolve(inner, found, path);
    }
    if (isRpcSecret(value)) {
        found.secretPaths.add(dotted(path));
        return resolve(value.value, found, path);
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map((v, i) => resolve(v, found, [...path, i])));
    }
    if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolve(v, found, [...path, k])] as const));
        return Object.fromEntries(entries);
    }
    return value;
}

/**
 * The inputs with every known Output and secret wrapper resolved to its value (the arguments are validated before
 * anything registers, which needs values), and the secrets wrapped in `pulumi.secret` again:
 * - a value that arrived secret on its own (an output value) stays secret, wherever it is;
 * - the SDK lifts a nested secret-wrapped value to its top-level property (a whole block arrives secret): a registry
 *   block then keeps its kind's credentials (`secretKeys`) secret — they always are, as in TypeScript — and
 *   `pluginConnector` its `mirrorImages.auth` (and `pushCheck` its `auth`);
 * - a secret `chart`, or a secret inside `chart.values`, makes the values one secret (`chart.secretValues`), as the
 *   stack program does with a secret `chart`: which value was secret may be lost, and all of them stay secret. A secret
 *   `chart` without values, a secret `chart.version` (or another key written in plain text), or a `pluginConnector`
 *   whose secret is not its mirror login is refused, rather than written in plain text.
 * `dependencies` are where each Output was and what it depended on ({@link withDependencies}).
 */
export async function resolveInputs(
    name: string,
    inputs: pulumi.Inputs,
): Promise<{
    values: MultiLanguageArgs;
    secret: () => MultiLanguageArgs;
    dependencies: readonly PathDependencies[];
    secretPaths: ReadonlySet<string>;
}> {
    const found: Found = { secretPaths: new Set(), dependencies: [] };
    const values = (await resolve(inputs, found, [])) as Record<string, any>;
    withoutSecretValues(found.secretPaths, () => refuseLostSecrets(name, values, found.secretPaths));
    return {
        values,
        secret: () => withSecrets(copy(values) as Record<string, any>, found.secretPaths),
        dependencies: found.dependencies,
        secretPaths: found.secretPaths,
    };
}

/** A copy of plain objects and arrays; anything else (Outputs, resources) is kept as it is. */
function copy(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(copy);
    }
    if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
    }
    return value;
}

/** A secret path inside `chart`: `chart` itself, `chart.values.x`. */
const inChart = (path: string) => path === "chart" || path.startsWith("chart.") || path.startsWith("chart[");

function withSecrets(plain: Record<string, any>, secretPaths: ReadonlySet<string>): MultiLanguageArgs {
    for (const path of secretPaths) {
        const keys = path.split(".");
        if (keys.length > 1 && !path.includes("[") && !inChart(path)) {
            const parent = keys.slice(0, -1).reduce((o, k) => o?.[k], plain);
            const key = keys[keys.length - 1];
            if (parent && parent[key] !== undefined) {
                parent[key] = pulumi.secret(parent[key]);
            }
        }
    }
    if ([...secretPaths].some(inChart) && plain.chart) {
        plain.chart = { ...plain.chart, secretValues: true };
    }
    for (const [block, value] of Object.entries(plain)) {
        const kind = registryKindFor(block);
        if (kind && typeof value === "object" && value !== null) {
            for (const key of kind.secretKeys) {
                if (value[key] !== undefined) {
                    value[key] = pulumi.secret(value[key]);
                }
            }
        }
    }
    for (const login of [plain.pluginConnector?.mirrorImages, plain.pushCheck, plain.chart]) {
        if (login?.auth !== undefined) {
            login.auth = pulumi.secret(login.auth);
        }
        if (login === plain.chart && login?.password !== undefined) {
            login.password = pulumi.secret(login.password);
        }
    }
    return plain as MultiLanguageArgs;
}

function refuseLostSecrets(name: string, plain: Record<string, any>, secretPaths: ReadonlySet<string>): void {
    const problems: pulumi.InputPropertyErrorDetails[] = [];
    const chart = plain.chart as Record<string, unknown> | undefined;
    for (const path of [...secretPaths].filter(inChart)) {
        const keptSecret = [chart?.values, chart?.valuesFile, chart?.password, chart?.auth].some((v) => v !== undefined);
        if (path === "chart" ? !keptSecret : !/^chart\.(values(\.|\[|$)|password$|auth$)/.test(path)) {
            problems.push({
                propertyPath: path,
                reason: "is secret, but only chart.values (as a whole: chart.secretValues), chart.password and chart.auth can be kept secret; chart.version, repository, chart, username, releaseName and the other keys are written in plain text",
            });
            break;
        }
    }
    if (secretPaths.has("pluginConnector") && plain.pluginConnector?.mirrorImages?.auth === undefined) {
        problems.push({
            propertyPath: "pluginConnector",
            reason: "holds a secret value, and the engine does not say which one: pluginConnector takes no credentials (give registry credentials in the registry block, a mirror login as pluginConnector.mirrorImages.auth)",
        });
    }
    if (problems.length > 0) {
        throw new pulumi.InputPropertiesError({
            message: `DifyPluginRegistry "${name}" has invalid arguments:\n${problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`).join("\n")}`,
            errors: problems,
        });
    }
}

/** `a` is `b`, inside it, or around it (`chart` and `chart.values.x`). */
const overlaps = (a: string, b: string) =>
    a === b ||
    [a, b].some((p, i) => {
        const q = i === 0 ? b : a;
        return q.startsWith(`${p}.`) || q.startsWith(`${p}[`);
    });

/**
 * `fn()`, with an `InputPropertiesError` about a secret value turned into a plain error with the same message. The
 * engine prints the value of each property such an error names, read from the inputs it sent, secret or not
 * (`errorToMessage` in pulumi/pkg/resource/deploy/source_eval.go, v3.248.0): a refused secret `chart` would be printed
 * whole. The message still names the key and what is valid.
 */
function withoutSecretValues<T>(secretPaths: ReadonlySet<string>, fn: () => T): T {
    try {
        return fn();
    } catch (e) {
        if (
            pulumi.InputPropertiesError.isInstance(e) &&
            e.errors.some((err) => [...secretPaths].some((s) => overlaps(err.propertyPath, s)))
        ) {
            throw new Error(e.message);
        }
        throw e;
    }
}

let schemaOfInputs: InputsSchema | undefined;
/** The inputs' part of the package schema: which values the component takes as `pulumi.Input`. */
function inputsSchema(): InputsSchema {
    if (!schemaOfInputs) {
        const schema = packageSchema("0.0.0") as { resources: Record<string, { inputProperties: InputsSchema["properties"] }> };
        schemaOfInputs = {
            properties: schema.resources[PLUGIN_REGISTRY_TOKEN].inputProperties,
            types: (schema as unknown as { types: InputsSchema["types"] }).types,
        };
    }
    return schemaOfInputs;
}

/**
 * Creates the component for `Construct` and returns its URN and the outputs the schema declares. The options the
 * engine sent (`providers`, `protect`, `aliases`, `dependsOn`, …) are the component's; the component passes them on to
 * its children (the SDK does `providers`, `protect` and aliases through the parent, the component does `dependsOn`).
 */
export async function constructPluginRegistry(
    name: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
): Promise<pulumi.provider.ConstructResult> {
    const resolved = await resolveInputs(name, inputs);
    // Validate the plain values first: an invalid credential then gets the TypeScript API's error at once (a secret
    // Output is only checked once it resolves, after this call has returned).
    const component = withoutSecretValues(resolved.secretPaths, () => {
        planPluginRegistry(name, toDifyPluginRegistryArgs(name, resolved.values));
        const { args, dependsOn } = withDependencies(resolved.secret() as Record<string, unknown>, resolved.dependencies, inputsSchema());
        // The SDK's Construct gives `dependsOn` as a list.
        const given = (options.dependsOn ?? []) as pulumi.Input<pulumi.Resource>[];
        return new PackagedPluginRegistry(name, toDifyPluginRegistryArgs(name, args as MultiLanguageArgs), {
            ...options,
            ...(dependsOn.length > 0 ? { dependsOn: [...given, ...dependsOn] } : {}),
        });
    });
    return {
        urn: component.urn,
        state: Object.fromEntries(OUTPUT_NAMES.map((key) => [key, component[key]])),
    };
}
