/**
 * Shapes of the arguments as zod schemas, shared by the stack config and the component's run-time checks: one schema
 * per shape, so a typo is refused the same way in a stack file, a program, or values built from JSON or YAML.
 * Schemas check shape (keys and primitive types); meaning (formats, combinations) is checked by the component.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { ArgumentProblems } from "./validation";

/** An Output or a Promise: its value is checked when it resolves, by the component's own checks. */
export function isEventual(value: unknown): boolean {
    return pulumi.Output.isInstance(value) || value instanceof Promise;
}

const eventual = z.custom<pulumi.Output<never>>(isEventual);

/** Where the TypeScript type says `pulumi.Input<T>`: `schema`, or an Output / Promise of it. */
export function input<S extends z.ZodType>(schema: S): z.ZodUnion<[S, typeof eventual]> {
    return z.union([schema, eventual]);
}

/** Strings that may be Outputs, optional or not. */
export const inputString = input(z.string());
/** `Readonly<Record<string, string>>` (tags, labels, node selectors). */
export const stringMap = z.record(z.string(), z.string());
/** Any map: Helm values, affinity. */
export const looseObject = z.record(z.string(), z.unknown());

/** How {@link checkShape} reports. */
export interface ShapeCheckOptions {
    /** Put before every path (`dify-plugin-registry:` for stack config). */
    readonly prefix?: string;
    /** Keys that were removed or renamed, by path (`chart.defaults`): the reason replaces "unknown key". */
    readonly replaced?: Readonly<Record<string, string>>;
}

/**
 * Records every problem `schema` finds in `value` at `path` (`registry`, …): unknown keys each with its own path and
 * the nearest valid key, wrong primitive types with what was expected. A missing required key is left to the
 * component's own checks, which say what would be valid there. Returns whether the shape is sound.
 */
export function checkShape(
    schema: z.ZodType,
    value: unknown,
    problems: ArgumentProblems,
    path = "",
    options: ShapeCheckOptions = {},
): boolean {
    const result = schema.safeParse(value);
    if (result.success) {
        return true;
    }
    const before = problems.count;
    for (const issue of result.error.issues) {
        report(issue, { root: schema, value, problems, base: path === "" ? [] : path.split("."), options });
    }
    return problems.count === before;
}

interface ReportContext {
    readonly root: z.ZodType;
    readonly value: unknown;
    readonly problems: ArgumentProblems;
    readonly base: PropertyKey[];
    readonly options: ShapeCheckOptions;
}

function report(issue: z.core.$ZodIssue, ctx: ReportContext): void {
    const at = [...ctx.base, ...issue.path];
    const keyPath = (keys: PropertyKey[]) => keys.map(String).join(".");
    const name = (keys: PropertyKey[]) => `${ctx.options.prefix ?? ""}${keyPath(keys) || "(root)"}`;
    if (issue.code === "unrecognized_keys") {
        const valid = keysAt(ctx.root, ctx.value, issue.path);
        for (const key of issue.keys) {
            const replaced = ctx.options.replaced?.[keyPath([...at, key])];
            const near = valid && nearest(key, valid);
            const hint = near ? `; did you mean \`${near}\`?` : "";
            ctx.problems.add(name([...at, key]), replaced ?? `unknown key${hint}${valid ? ` (valid: ${valid.join(", ")})` : ""}`);
        }
        return;
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0 && issue.errors[0].length > 0) {
        // input(): the value is neither the schema's type nor an Output; say what the schema wanted.
        for (const inner of issue.errors[0]) {
            report({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, ctx);
        }
        return;
    }
    if (issue.code === "invalid_type" && valueAt(ctx.value, issue.path) === undefined) {
        return;
    }
    ctx.problems.add(name(at), issue.message.replace(/^Invalid input: /, ""));
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
    let v = value;
    for (const key of path) {
        if (typeof v !== "object" || v === null) return undefined;
        v = (v as Record<PropertyKey, unknown>)[key];
    }
    return v;
}

/** The keys of the object schema that `value` meets at `path`, or undefined when there is none. */
function keysAt(schema: z.ZodType, value: unknown, path: readonly PropertyKey[]): string[] | undefined {
    const def = unwrap(schema)._zod.def as unknown as Record<string, any>;
    if (def.type === "union") {
        const options = def.options as z.ZodType[];
        const chosen =
            def.discriminator !== undefined
                ? options.find(
                      (o) => literalOf(o, def.discriminator) === (value as Record<string, unknown> | undefined)?.[def.discriminator],
                  )
                : options.find((o) => unwrap(o)._zod.def.type === "object");
        return chosen ? keysAt(chosen, value, path) : undefined;
    }
    if (path.length === 0) {
        return def.type === "object" ? Object.keys(def.shape) : undefined;
    }
    const [key, ...rest] = path;
    const next = (value as Record<PropertyKey, unknown> | undefined)?.[key];
    if (def.type === "object") return def.shape[key as string] ? keysAt(def.shape[key as string], next, rest) : undefined;
    if (def.type === "record") return keysAt(def.valueType, next, rest);
    if (def.type === "array") return keysAt(def.element, next, rest);
    return undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
    let s = schema;
    for (;;) {
        const def = s._zod.def as unknown as Record<string, any>;
        if (def.type === "optional" || def.type === "nullable" || def.type === "default" || def.type === "readonly") s = def.innerType;
        else if (def.type === "pipe") s = def.in;
        else return s;
    }
}

function literalOf(option: z.ZodType, key: string): unknown {
    const def = unwrap(option)._zod.def as unknown as Record<string, any>;
    const field = def.type === "object" ? def.shape[key] : undefined;
    return field ? (unwrap(field)._zod.def as unknown as { values?: unknown[] }).values?.[0] : undefined;
}

/** The valid key closest to `key` (edit distance at most a third of its length, at least 2), if any. */
export function nearest(key: string, valid: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
    for (const candidate of valid) {
        const d = distance(key.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
