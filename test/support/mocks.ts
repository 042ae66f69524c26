/**
 * The one place that calls `pulumi.runtime.setMocks` (it is process-wide). Records every resource registered: type,
 * name, inputs exactly as the engine would receive them (secrets still wrapped), parent and provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

export const PROJECT = "dify-plugin-registry";
export const STACK = "test";

/** The marker the engine uses for secret values in serialized properties. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    /** Inputs as registered; secret values appear as `{ [SECRET_SIG]: …, value }`. */
    readonly inputs: Record<string, unknown>;
    /** `type::name` of the parent, undefined for the stack root. */
    readonly parent?: string;
    /** Provider reference (`urn::id`), when one was passed. */
    readonly provider?: string;
    readonly custom: boolean;
}

const recorded: RecordedResource[] = [];
const parents = new Map<string, string>();

// MockResourceArgs carries no parent: capture it from the request before the mock sees it.
const originalRegister = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (this: MockMonitor, req: any, callback: any) {
    parents.set(`${req.getType()}::${req.getName()}`, req.getParent());
    return originalRegister.call(this, req, callback);
};

/** `type::name` of a URN. */
export function urnKey(urn: string): string {
    const parts = urn.split("::");
    const types = parts[2].split("$");
    return `${types[types.length - 1]}::${parts[3]}`;
}

const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
        const parentUrn = parents.get(`${args.type}::${args.name}`);
        recorded.push({
            type: args.type,
            name: args.name,
            inputs: args.inputs,
            parent: parentUrn ? urnKey(parentUrn) : undefined,
            provider: args.provider || undefined,
            custom: args.custom ?? false,
        });
        return { id: args.custom ? `${args.name}-id` : undefined, state: args.inputs };
    },
    call(args) {
        throw new Error(`unexpected invoke ${args.token} under mocks`);
    },
};

/** Installs the mocks (idempotent); `preview` makes unknown values stay unknown, as in `pulumi preview`. */
export function useMocks(options: { preview?: boolean } = {}): void {
    void pulumi.runtime.setMocks(mocks, PROJECT, STACK, options.preview ?? false);
}

/** Forgets what was recorded (call in `beforeEach`). */
export function resetRecorded(): void {
    recorded.length = 0;
}

/** Everything registered since the last reset, in registration order. */
export function registered(): readonly RecordedResource[] {
    return [...recorded];
}

/** The one recorded resource of `type` (and `name`, when given); fails when there is not exactly one. */
export function only(type: string, name?: string): RecordedResource {
    const found = recorded.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${recorded.map((r) => `${r.type}::${r.name}`).join(", ")}`);
    }
    return found[0];
}

/** Waits until every outstanding registration and apply has finished. */
export async function settle(): Promise<void> {
    // waitForRPCs is exported by the SDK's settings module (marked internal, stable since 3.0).
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}

/** Resolves an Output's value, even a secret one (tests only). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Whether `value` is a secret-wrapped value as serialized for the engine. */
export function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_SIG_VALUE;
}

/** Removes secret wrappers, recursively. */
export function unwrapSecrets(value: unknown): unknown {
    if (isSecretValue(value)) {
        return unwrapSecrets(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

useMocks();
