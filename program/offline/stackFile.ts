import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

/** A stack file read for offline evaluation: config as the engine would pass it, with secure values replaced. */
export interface OfflineStackConfig {
    /** `project:key` → value as a string (objects as JSON), the form `pulumi.runtime.setAllConfig` takes. */
    readonly config: Record<string, string>;
    /** Keys holding a secure value (passed to setAllConfig as secret). */
    readonly secretKeys: string[];
    /** Paths of `secure:` values that cannot be decrypted offline, shown as placeholders. */
    readonly placeholders: string[];
    /** Pulumi ESC environments the stack imports; their values are not available offline. */
    readonly environments: string[];
    /** The file's `config:` as written (secure values as `{ secure: <ciphertext> }`). */
    readonly raw?: Record<string, unknown>;
}

/** The text that stands for a secure value that cannot be decrypted offline. */
export const SECURE_PLACEHOLDER = "[secure]";

/** `stacks/Pulumi.<stack>.yaml` of the project in `root`. */
export function stackFilePath(root: string, stack: string): string {
    return path.join(root, "stacks", `Pulumi.${stack}.yaml`);
}

/** The stacks that have a file in `root/stacks`. */
export function listStacks(root: string): string[] {
    const dir = path.join(root, "stacks");
    return fs.existsSync(dir)
        ? fs
              .readdirSync(dir)
              .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
              .sort()
        : [];
}

/** Reads a stack file. Secure values become {@link SECURE_PLACEHOLDER}; nothing is decrypted. */
export function readStackFile(file: string): OfflineStackConfig {
    const doc = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown>; environment?: unknown };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const placeholders: string[] = [];
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        const before = placeholders.length;
        const plain = replaceSecure(value, key, placeholders);
        if (placeholders.length > before) {
            secretKeys.push(key);
        }
        config[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
    }
    const environments = Array.isArray(doc.environment)
        ? doc.environment.map(String)
        : ((doc.environment as { imports?: unknown[] } | undefined)?.imports ?? []).map(String);
    return { config, secretKeys, placeholders, environments, raw: doc.config ?? {} };
}

function replaceSecure(value: unknown, at: string, placeholders: string[]): unknown {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secure") {
            placeholders.push(at);
            return SECURE_PLACEHOLDER;
        }
        return Object.fromEntries(entries.map(([k, v]) => [k, replaceSecure(v, `${at}.${k}`, placeholders)]));
    }
    if (Array.isArray(value)) {
        return value.map((v, i) => replaceSecure(v, `${at}[${i}]`, placeholders));
    }
    return value;
}
