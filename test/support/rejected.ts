/** Shared helpers of the bad-input tests. */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry, type DifyPluginRegistryArgs } from "../../components";
import { thrownBy } from "./evaluate";
import { registered, resetRecorded, settle } from "./mocks";

/**
 * Constructs the component with `args` (any value: bad input is the point); asserts it throws an
 * InputPropertiesError and that nothing was registered once late registrations settled; returns the message.
 */
export async function rejected(args: unknown, name = "bad"): Promise<string> {
    resetRecorded();
    const error = thrownBy(() => new DifyPluginRegistry(name, args as DifyPluginRegistryArgs));
    await settle();
    assert.ok(pulumi.InputPropertiesError.isInstance(error), `expected InputPropertiesError, got ${error}`);
    assert.deepEqual(registered(), [], "nothing may be registered");
    return error.message;
}

/** The `auth` value of a docker config entry: base64 of `user:password`. */
export function basicAuth(user: string, password: string): string {
    return Buffer.from(`${user}:${password}`).toString("base64");
}
