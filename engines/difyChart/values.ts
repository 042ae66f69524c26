/** Helm values, or a map nested in them. */
export type Values = Record<string, unknown>;

/** Whether `value` is a values map (a non-null, non-array object) that can be read and merged key by key. */
export function isPlainObject(value: unknown): value is Values {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
