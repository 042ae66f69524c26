/**
 * The dependencies of what the engine sent to `Construct`, given back to the component. The engine says which
 * resources each top-level input depended on, and an SDK that keeps Outputs (output values) says it for each nested
 * Output too. The arguments are resolved to plain values to be validated; this puts the dependencies back on the
 * values the component takes as `pulumi.Input` (the schema's non-`plain` properties), so that each child depends on
 * what its own inputs depended on, as in a TypeScript program that passes Outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PropertySpec, TypeSpec } from "./schema";

/** Where a value sits in the arguments: keys and array indexes from the top-level property down. */
export type PropertyPath = readonly (string | number)[];

/** The resources the Output found at `path` depended on. */
export interface PathDependencies {
    readonly path: PropertyPath;
    readonly resources: readonly pulumi.Resource[];
}

/** What the schema says about the inputs: their properties and the types they refer to. */
export interface InputsSchema {
    readonly properties: Readonly<Record<string, PropertySpec>>;
    readonly types: Readonly<Record<string, TypeSpec>>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;

const startsWith = (path: PropertyPath, prefix: PropertyPath) => prefix.length <= path.length && prefix.every((k, i) => path[i] === k);

/**
 * The paths of the outermost values in `args` the component takes as `pulumi.Input` (a non-`plain` property). The
 * members of a plain array or map are as plain as it is; an object type states each of its properties.
 */
export function inputPaths(args: Readonly<Record<string, unknown>>, schema: InputsSchema): PropertyPath[] {
    const found: PropertyPath[] = [];
    const walk = (value: unknown, spec: PropertySpec | undefined, path: PropertyPath): void => {
        if (value === undefined || value === null || spec === undefined) {
            return;
        }
        if (!spec.plain) {
            found.push(path);
            return;
        }
        const type = spec.$ref ? schema.types[spec.$ref.replace(/^#\/types\//, "")] : undefined;
        if (type && "properties" in type && isPlainObject(value)) {
            for (const [key, v] of Object.entries(value)) {
                walk(v, type.properties[key], [...path, key]);
            }
        } else if (spec.items && Array.isArray(value)) {
            for (const [i, v] of value.entries()) {
                walk(v, { ...spec.items, plain: true }, [...path, i]);
            }
        } else if (spec.additionalProperties && isPlainObject(value)) {
            for (const [key, v] of Object.entries(value)) {
                walk(v, { ...spec.additionalProperties, plain: true }, [...path, key]);
            }
        }
    };
    for (const [key, value] of Object.entries(args)) {
        walk(value, schema.properties[key], [key]);
    }
    return found;
}

/**
 * Where each dependency goes: an Output inside (or at) an Input-typed value gives its resources to that value; an
 * Output around Input-typed values (a whole registry block, as the engine reports a top-level property) to each of
 * them. What only plain values depended on (a known Output where the component needs a plain value, e.g. the
 * namespace) cannot ride on a value: it is returned as `dependsOn`, for every child. No dependency is dropped.
 */
export function placeDependencies(
    found: readonly PathDependencies[],
    inputs: readonly PropertyPath[],
): { byInput: Map<PropertyPath, Set<pulumi.Resource>>; dependsOn: pulumi.Resource[] } {
    const byInput = new Map<PropertyPath, Set<pulumi.Resource>>();
    const dependsOn = new Set<pulumi.Resource>();
    const add = (input: PropertyPath, resources: readonly pulumi.Resource[]) => {
        const set = byInput.get(input) ?? new Set();
        for (const r of resources) set.add(r);
        byInput.set(input, set);
    };
    for (const { path, resources } of found) {
        if (resources.length === 0) continue;
        const around = inputs.find((input) => startsWith(path, input));
        const within = inputs.filter((input) => startsWith(input, path));
        if (around) {
            add(around, resources);
        } else if (within.length > 0) {
            for (const input of within) add(input, resources);
        } else {
            for (const r of resources) dependsOn.add(r);
        }
    }
    return { byInput, dependsOn: [...dependsOn] };
}

/** `value` (plain, or an Output already) as an Output that also depends on `resources`; secrecy is kept. */
export function dependingOn(value: unknown, resources: ReadonlySet<pulumi.Resource>): pulumi.Output<unknown> {
    // A resource's urn is an Output of that resource: combined with the value, the result depends on each.
    const urns = [...resources].map((r) => r.urn);
    return pulumi.all([...urns, value] as pulumi.Input<unknown>[]).apply((all) => all[all.length - 1]);
}

/** `args` with each Input-typed value that had dependencies replaced by an Output carrying them (in place). */
export function withDependencies(
    args: Record<string, unknown>,
    found: readonly PathDependencies[],
    schema: InputsSchema,
): { args: Record<string, unknown>; dependsOn: pulumi.Resource[] } {
    const { byInput, dependsOn } = placeDependencies(found, inputPaths(args, schema));
    for (const [path, resources] of byInput) {
        const parent = path.slice(0, -1).reduce<any>((o, k) => o?.[k], args);
        const key = path[path.length - 1];
        if (parent !== undefined && parent !== null) {
            parent[key] = dependingOn(parent[key], resources);
        }
    }
    return { args, dependsOn };
}
