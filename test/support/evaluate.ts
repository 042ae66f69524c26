import { registered, RecordedResource, resetRecorded, settle, useMocks } from "./mocks";

/** Runs `program` under fresh recording mocks and returns what it registered once everything has settled. */
export async function evaluate(program: () => void): Promise<readonly RecordedResource[]> {
    resetRecorded();
    program();
    await settle();
    return registered();
}

/**
 * Runs `program`, which must fail asynchronously (an Output-valued argument that is invalid), and returns the first
 * error. Pulumi reports such failures as unhandled rejections; the mocks are reinstalled afterwards because the failed
 * registration never completes its RPC.
 */
export async function evaluateFailingLater(
    program: () => void,
    timeoutMs = 5000,
): Promise<{ error: Error; resources: readonly RecordedResource[] }> {
    resetRecorded();
    const listeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    let first: Error | undefined;
    const onRejection = (err: unknown) => {
        first ??= err instanceof Error ? err : new Error(String(err));
    };
    process.on("unhandledRejection", onRejection);
    try {
        program();
        const started = Date.now();
        while (first === undefined && Date.now() - started < timeoutMs) {
            await new Promise((r) => setTimeout(r, 20));
        }
        // Let the remaining registrations reach the same failure before reading what was registered.
        await new Promise((r) => setTimeout(r, 100));
    } finally {
        process.off("unhandledRejection", onRejection);
        for (const l of listeners) {
            process.on("unhandledRejection", l);
        }
        useMocks();
    }
    if (first === undefined) {
        throw new Error(`the program did not fail within ${timeoutMs} ms`);
    }
    return { error: first, resources: registered() };
}

/** The error `fn` throws synchronously (fails the test when it throws nothing). */
export function thrownBy(fn: () => unknown): Error {
    try {
        fn();
    } catch (err) {
        return err as Error;
    }
    throw new Error("expected an error, none was thrown");
}

/** Decodes a base64 string to UTF-8 text. */
export function b64decode(s: unknown): string {
    return Buffer.from(String(s), "base64").toString("utf8");
}
