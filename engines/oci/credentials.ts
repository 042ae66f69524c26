/**
 * Registry logins from a docker config (`{"auths":{"<host>":{"auth":"base64(user:password)"}}}`, the shape of
 * `image-repo-secret` and `~/.docker/config.json`). Credential helpers (`credsStore`, `credHelpers`) are not run.
 */
import * as fs from "node:fs";
import type { DockerConfig } from "./dockerConfig";

/** A username and password (or token) for one registry. */
export interface Credentials {
    readonly username: string;
    readonly password: string;
}

/** A docker config object, the path of a docker config file, or nothing (anonymous everywhere). */
export type AuthInput = DockerConfig | { readonly auths?: Record<string, unknown> } | string | undefined;

// Arrays, not Sets, at module level: Pulumi's closure serialization (the image mirror provider) cannot capture a Set.
const DOCKER_HUB_NAMES = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/** `https://index.docker.io/v1/` → `docker.io`, `https://harbor.example.com` → `harbor.example.com`. */
export function normalizeRegistryKey(key: string): string {
    const host = key
        .replace(/^[a-z]+:\/\//i, "")
        .split("/")[0]
        .toLowerCase();
    return DOCKER_HUB_NAMES.includes(host) ? "docker.io" : host;
}

/** Looks logins up by registry, whichever way the docker config spells the key. */
export class CredentialStore {
    private readonly byRegistry: Map<string, Credentials>;

    constructor(config?: { readonly auths?: Record<string, unknown> }) {
        // Fields are set here, not by initializers: Pulumi's closure serialization (the image mirror provider) keeps
        // a class's constructor but drops its field initializers.
        this.byRegistry = new Map();
        for (const [key, entry] of Object.entries(config?.auths ?? {})) {
            const credentials = decodeEntry(key, entry);
            // The first spelling wins, like docker: an exact host key is usually listed first.
            if (credentials && !this.byRegistry.has(normalizeRegistryKey(key))) {
                this.byRegistry.set(normalizeRegistryKey(key), credentials);
            }
        }
    }

    /** The login for `registry` (`docker.io`, `ghcr.io`, `127.0.0.1:5000`), or undefined for anonymous access. */
    lookup(registry: string): Credentials | undefined {
        return this.byRegistry.get(normalizeRegistryKey(registry));
    }
}

/** Reads a docker config from an object or a file path. */
export function loadCredentials(input: AuthInput): CredentialStore {
    if (input === undefined) return new CredentialStore();
    if (typeof input === "string") {
        let text: string;
        try {
            text = fs.readFileSync(input, "utf8");
        } catch (err) {
            throw new Error(`cannot read docker config ${input}: ${(err as Error).message}`);
        }
        try {
            return new CredentialStore(JSON.parse(text) as { auths?: Record<string, unknown> });
        } catch (err) {
            throw new Error(`docker config ${input} is not JSON: ${(err as Error).message}`);
        }
    }
    return new CredentialStore(input);
}

function decodeEntry(key: string, entry: unknown): Credentials | undefined {
    if (typeof entry !== "object" || entry === null) return undefined;
    const { auth, username, password } = entry as { auth?: unknown; username?: unknown; password?: unknown };
    if (typeof auth === "string" && auth !== "") {
        const decoded = Buffer.from(auth, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon < 0) throw new Error(`docker config entry "${key}": auth is not base64("user:password")`);
        return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (typeof username === "string" && typeof password === "string") return { username, password };
    return undefined;
}
