/**
 * Checks a program's use of the package against its schema: every property exists, with the schema's type. Used for
 * the Pulumi YAML example (parsed with `yaml`) and the Python one (parsed with the light parser in pythonCalls.ts).
 */

/** A value whose type is known only when the program runs: a `${…}` interpolation, a call, `fn::*`. */
export const UNKNOWN = Symbol("unknown");
/** A value that is secret where it comes from (`fn::secret`, a secret config value). */
export interface SecretValue {
    readonly secretOf: unknown;
}

/** A typed object value: what Python's `XArgs(...)` constructs (YAML and Python dicts are plain objects). */
export class TypedObject {
    constructor(
        readonly typeName: string | undefined,
        readonly properties: Record<string, unknown>,
    ) {}
}

/** A member of a generated SDK's enum class, as a program names it: Python's `dify.ChartKind.RELEASE`. */
export class EnumMember {
    constructor(
        readonly typeName: string,
        readonly member: string,
    ) {}
}

/** The Python SDK's name of an enum value (its schema `name`, else its value): `podIdentity` → `POD_IDENTITY`. */
export function pythonEnumMemberName(nameOrValue: string): string {
    return nameOrValue
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .replace(/[^A-Za-z0-9]+/g, "_")
        .toUpperCase();
}

/** Problems with `value` at `path` against `spec` (a schema property), as `path: reason` lines. */
export function checkAgainst(schema: any, path: string, value: unknown, spec: any, problems: string[] = []): string[] {
    if (value === UNKNOWN || spec?.$ref === "pulumi.json#/Any") {
        return problems;
    }
    if (typeof value === "object" && value !== null && "secretOf" in value) {
        return checkAgainst(schema, path, (value as SecretValue).secretOf, spec, problems);
    }
    if (spec?.$ref) {
        const typeName = decodeURIComponent(spec.$ref.replace(/^#\/types\//, ""));
        const type = schema.types[typeName];
        if (type?.enum && value instanceof EnumMember) {
            const members = type.enum.map((v: { value: string; name?: string }) => pythonEnumMemberName(v.name ?? v.value));
            if (value.typeName !== typeName.split(":")[2]) {
                problems.push(`${path}: expected a member of ${typeName.split(":")[2]}, got ${value.typeName}.${value.member}`);
            } else if (!members.includes(value.member)) {
                problems.push(`${path}: ${value.typeName} has no member ${value.member} (has ${members.join(", ")})`);
            }
            return problems;
        }
        if (type?.enum) {
            const values = type.enum.map((v: { value: unknown }) => v.value);
            if (!values.includes(value)) {
                problems.push(
                    `${path}: expected one of ${values.map((v: unknown) => JSON.stringify(v)).join(", ")}, got ${describe(value)}`,
                );
            }
            return problems;
        }
        const obj = asObject(value);
        if (!type || !obj) {
            problems.push(`${path}: expected an object of type ${typeName}, got ${describe(value)}`);
            return problems;
        }
        if (obj.typeName !== undefined && obj.typeName !== typeName.split(":")[2]) {
            problems.push(`${path}: expected ${typeName.split(":")[2]}, got ${obj.typeName}`);
        }
        checkProperties(schema, path, obj.properties, type.properties, type.required ?? [], problems);
        return problems;
    }
    switch (spec?.type) {
        case "string":
        case "boolean":
            if (typeof value !== spec.type) {
                problems.push(`${path}: expected a ${spec.type}, got ${describe(value)}`);
            }
            break;
        case "integer":
        case "number":
            if (typeof value !== "number" || (spec.type === "integer" && !Number.isInteger(value))) {
                problems.push(`${path}: expected an ${spec.type}, got ${describe(value)}`);
            }
            break;
        case "array":
            if (!Array.isArray(value)) {
                problems.push(`${path}: expected a list, got ${describe(value)}`);
            } else {
                for (const [i, v] of value.entries()) {
                    checkAgainst(schema, `${path}[${i}]`, v, spec.items, problems);
                }
            }
            break;
        case "object": {
            const obj = asObject(value);
            if (!obj || obj.typeName !== undefined) {
                problems.push(`${path}: expected a map, got ${describe(value)}`);
            } else {
                for (const [k, v] of Object.entries(obj.properties)) {
                    checkAgainst(schema, `${path}.${k}`, v, spec.additionalProperties, problems);
                }
            }
            break;
        }
        default:
            problems.push(`${path}: no such property`);
    }
    return problems;
}

/** Checks the properties of one object against a type's properties and required list. */
export function checkProperties(
    schema: any,
    path: string,
    properties: Record<string, unknown>,
    specs: Record<string, any>,
    required: readonly string[],
    problems: string[],
): void {
    for (const [key, value] of Object.entries(properties)) {
        const where = path ? `${path}.${key}` : key;
        if (!specs[key]) {
            problems.push(`${where}: no such property (has ${Object.keys(specs).join(", ")})`);
            continue;
        }
        checkAgainst(schema, where, value, specs[key], problems);
    }
    for (const key of required) {
        if (!(key in properties)) {
            problems.push(`${path ? `${path}.` : ""}${key}: required, missing`);
        }
    }
}

function asObject(value: unknown): TypedObject | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return undefined;
    }
    return value instanceof TypedObject ? value : new TypedObject(undefined, value as Record<string, unknown>);
}

const describe = (value: unknown) => (Array.isArray(value) ? "a list" : JSON.stringify(value));
