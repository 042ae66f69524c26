/**
 * Evaluates the program without an engine: `pulumi.runtime.setMocks` with mocks that record every resource registered
 * (type, name, inputs exactly as the engine would receive them — secrets still wrapped —, parent and provider).
 * Used by `npm run synth`, the benchmarks and the tests. setMocks is process-wide: install once per process.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

/** The marker the engine uses for secret values in serialized properties. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** One resource registration as the engine would have received it. */
export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    /** Inputs as registered; secret values appear as `{ [SECRET_SIG]: …, value }`. */
    readonly inputs: Record<string, unknown>;
    /** `type::name` of the parent, undefined for the root. */
    readonly parent?: string;
    /** Provider reference (`urn::id`), when one was passed explicitly or inherited. */
    readonly provider?: string;
    readonly custom: boolean;
}

const recorded: RecordedResource[] = [];
const invokes = new Map<string, (inputs: Record<string, any>) => Record<string, any>>();

/**
 * Answers invoke `token` (e.g. `aws:index/getCallerIdentity:getCallerIdentity`) with `answer(inputs)` from now on.
 * Cloud lookups have no offline answer otherwise.
 */
export function answerInvoke(token: string, answer: (inputs: Record<string, any>) => Record<string, any>): void {
    invokes.set(token, answer);
}
/** What the cloud computes when a resource is created: its id and outputs that are not inputs. */
export interface ResourceAnswer {
    readonly id?: string;
    readonly state?: Record<string, any>;
}
const resourceAnswers = new Map<string, (args: pulumi.runtime.MockResourceArgs) => ResourceAnswer | Promise<ResourceAnswer>>();

/**
 * Answers the creation of resources of `type` (e.g. `azure-native:containerregistry:Registry`) with `answer(args)` from
 * now on: an ARM id, a login server, a generated password. Without one, a resource's state is its inputs and its id
 * `<name>-id`.
 */
export function answerResource(
    type: string,
    answer: (args: pulumi.runtime.MockResourceArgs) => ResourceAnswer | Promise<ResourceAnswer>,
): void {
    resourceAnswers.set(type, answer);
}

/** Stops answering `type` (an answer that calls a test server must not outlive the test). */
export function stopAnswering(type: string): void {
    resourceAnswers.delete(type);
}

/** The `additionalSecretOutputs` a resource was registered with (an answer may mark them secret, as the engine does). */
export function additionalSecretOutputsOf(type: string, name: string): readonly string[] {
    return secretOutputs.get(`${type}::${name}`) ?? [];
}
const secretOutputs = new Map<string, string[]>();
const parents = new Map<string, string>();
const dependencies = new Map<string, string[]>();

/**
 * `type::name` of every resource a registration waited for: its `dependsOn` and the resources its inputs came from,
 * as the engine receives them.
 */
export function dependenciesOf(type: string, name: string): readonly string[] {
    return dependencies.get(`${type}::${name}`) ?? [];
}
let patched = false;

// MockResourceArgs carries no parent: capture it from the request before the mocks see it.
function captureParents(): void {
    if (patched) {
        return;
    }
    patched = true;
    const originalRegister = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = function (this: MockMonitor, req: any, callback: any) {
        parents.set(`${req.getType()}::${req.getName()}`, req.getParent());
        secretOutputs.set(`${req.getType()}::${req.getName()}`, req.getAdditionalsecretoutputsList());
        dependencies.set(`${req.getType()}::${req.getName()}`, (req.getDependenciesList() as string[]).map(urnKey));
        return originalRegister.call(this, req, callback);
    };
}

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
        const answered = resourceAnswers.get(args.type)?.(args);
        const result = (answer: ResourceAnswer | undefined) => {
            const mock = answer?.id === undefined && args.custom ? `${args.name}-id` : undefined;
            // Names repeat across types (a role and its policy), so one made-up id may stand for several resources.
            if (mock !== undefined) mockIds.set(mock, [...(mockIds.get(mock) ?? []), `${args.type}::${args.name}`]);
            return { id: answer?.id ?? mock, state: { ...args.inputs, ...answer?.state } };
        };
        return answered instanceof Promise ? answered.then(result) : result(answered);
    },
    call(args) {
        const answer = invokes.get(args.token);
        if (!answer) {
            throw new Error(`invoke ${args.token} has no offline answer (register one with answerInvoke)`);
        }
        return answer(args.inputs);
    },
};

/** Installs the recording mocks; `preview` keeps unknown values unknown, as `pulumi preview` does. */
export function installRecordingMocks(project: string, stack: string, options: { preview?: boolean } = {}): void {
    captureParents();
    void pulumi.runtime.setMocks(mocks, project, stack, options.preview ?? false);
}

// Ids the mocks made up (`<name>-id`) → `type::name` of the resources given them: no cloud assigned them.
const mockIds = new Map<string, string[]>();

/** The ids the mocks made up since the last reset, each with the `type::name` of the resources given it. */
export function mockIdsGiven(): ReadonlyMap<string, readonly string[]> {
    return new Map(mockIds);
}

/** Forgets what was recorded. */
export function resetRecorded(): void {
    mockIds.clear();
    recorded.length = 0;
    parents.clear();
    dependencies.clear();
}

/** Everything registered since the last reset, in registration order. */
export function registered(): readonly RecordedResource[] {
    return [...recorded];
}

/** Waits until every outstanding registration and apply has finished. */
export async function settle(): Promise<void> {
    // waitForRPCs is exported by the SDK's settings module (marked internal; present throughout 3.x).
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}

/** Whether `value` is a secret-wrapped value as serialized for the engine. */
export function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_SIG_VALUE;
}

/** Replaces secret-wrapped values, recursively: by their content (`unwrap`) or by a fixed text (`redact`). */
export function mapSecrets(value: unknown, replace: (secret: unknown) => unknown): unknown {
    if (isSecretValue(value)) {
        return replace(value.value);
    }
    if (Array.isArray(value)) {
        return value.map((v) => mapSecrets(v, replace));
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSecrets(v, replace)]));
    }
    return value;
}

/** Removes secret wrappers, recursively (tests only: shows the secret content). */
export function unwrapSecrets(value: unknown): unknown {
    return mapSecrets(value, (secret) => unwrapSecrets(secret));
}

/** Replaces every secret by `[secret]`. */
export function redactSecrets(value: unknown): unknown {
    return mapSecrets(value, () => "[secret]");
}
