/**
 * The tests' one installation of the Pulumi mocks (setMocks is process-wide): the recording mocks of
 * program/offline/recorder.ts, plus helpers to find what was registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { installRecordingMocks, registered, RecordedResource } from "../../program/offline/recorder";

export {
    answerInvoke,
    answerResource,
    dependenciesOf,
    stopAnswering,
    isSecretValue,
    redactSecrets,
    registered,
    RecordedResource,
    resetRecorded,
    SECRET_SIG,
    settle,
    unwrapSecrets,
    urnKey,
} from "../../program/offline/recorder";

export const PROJECT = "dify-plugin-registry";
export const STACK = "test";

/** (Re)installs the mocks; `preview` makes unknown values stay unknown, as in `pulumi preview`. */
export function useMocks(options: { preview?: boolean } = {}): void {
    installRecordingMocks(PROJECT, STACK, options);
}

/** The one recorded resource of `type` (and `name`, when given); fails when there is not exactly one. */
export function only(type: string, name?: string): RecordedResource {
    const found = registered().filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1) {
        const all = registered()
            .map((r) => `${r.type}::${r.name}`)
            .join(", ");
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${all}`);
    }
    return found[0];
}

/** Resolves an Output's value, even a secret one (tests only). */
export function resolved<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

useMocks();
