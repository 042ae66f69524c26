import * as pulumi from "@pulumi/pulumi";
import { isPlain } from "./validation";

/** A value known now, or later. */
export type Eventually<T> = T | pulumi.Output<T>;

/**
 * `fn` of the inputs' values: called at once when every input is known now (previews then show the result, and no
 * Output costs the engine a serialization round), else inside one Output. One path for plain and Output values.
 */
export function whenKnown<T extends readonly unknown[], R>(
    inputs: { readonly [K in keyof T]: pulumi.Input<T[K]> | undefined },
    fn: (...values: T) => R,
): Eventually<R> {
    if (inputs.every((input) => isPlain(input))) {
        return fn(...(inputs as unknown as T));
    }
    return pulumi.all(inputs as pulumi.Input<unknown>[]).apply((values) => fn(...(values as unknown as T)));
}

/**
 * `value` as an Output. `pulumi.output`'s type unwraps nested Inputs (`Output<UnwrappedObject<T>>`); the values
 * passed here hold plain data only, so the unwrapped type is `T` itself.
 */
export function outputOf<T>(value: Eventually<T> | pulumi.Input<T>): pulumi.Output<T> {
    return pulumi.output(value) as unknown as pulumi.Output<T>;
}
