/**
 * Docker client configuration (`~/.docker/config.json`) as read by the kubelet (`.dockerconfigjson`) and by kaniko
 * (`config.json`). Keys are written in a fixed order so the same credentials always give the same bytes.
 */

/** One `auths` entry: the registry key exactly as clients look it up, and the login. */
export interface RegistryLogin {
    /** `registry.example.com`, `127.0.0.1:5000`, or `https://index.docker.io/v1/` for Docker Hub. */
    readonly server: string;
    readonly username: string;
    readonly password: string;
}

/** The docker config document: `auths` with `auth = base64(user:password)`, and optional credential helpers. */
export interface DockerConfig {
    readonly auths: Record<string, { readonly auth: string }>;
    readonly credHelpers?: Record<string, string>;
}

/** The key Docker Hub logins are stored under (what `docker login` writes and kaniko reads for docker.io). */
export const DOCKER_HUB_AUTH_KEY = "https://index.docker.io/v1/";

/** Builds the docker config for `logins` (and credential helpers by host, e.g. `{ "<ecr host>": "ecr-login" }`). */
export function buildDockerConfig(logins: readonly RegistryLogin[], credHelpers?: Record<string, string>): DockerConfig {
    const auths: Record<string, { auth: string }> = {};
    for (const login of logins) {
        auths[login.server] = { auth: Buffer.from(`${login.username}:${login.password}`, "utf8").toString("base64") };
    }
    return credHelpers && Object.keys(credHelpers).length > 0 ? { auths, credHelpers } : { auths };
}

/** The docker config serialised as the Secret stores it. */
export function dockerConfigJson(logins: readonly RegistryLogin[], credHelpers?: Record<string, string>): string {
    return JSON.stringify(buildDockerConfig(logins, credHelpers));
}
