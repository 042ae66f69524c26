// The registries the push-check tests run against, on loopback: a TLS + htpasswd registry (Basic auth) and a plain-HTTP
// registry with token auth whose token server grants "puller" pull only, "pusher" pull and push, and "admin" everything
// (the catalog). Each holds one image beside the prefix, so "nothing changed" is a statement about a non-empty registry.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HttpTransport, readBody } from "../../engines/oci/http";
import { RegistrySession } from "../../engines/oci/registrySession";
import { startRegistry, type RunningRegistry } from "./registry";
import { skopeoCopy } from "./skopeo";
import { multiLayerImage } from "./testImages";
import { startTokenServer, type TokenServer } from "./tokenServer";

/** Logins of the fixture. */
export const LOGINS = {
    basic: { username: "dify-push", password: "basic-Sentinel-pw-41" },
    puller: { username: "puller", password: "pull-Sentinel-pw-17" },
    pusher: { username: "pusher", password: "push-Sentinel-pw-93" },
    /** Read-only, and its token service refuses a push scope outright (Docker Hub's answer to a read-only token). */
    reader: { username: "reader", password: "read-Sentinel-pw-28" },
    admin: { username: "admin", password: "admin-pw-55" },
} as const;

/** A docker config JSON object with one login. */
export function dockerConfig(host: string, login: { username: string; password: string }): { auths: Record<string, { auth: string }> } {
    return { auths: { [host]: { auth: Buffer.from(`${login.username}:${login.password}`).toString("base64") } } };
}

/** The running fixture. */
export interface CheckRegistries {
    readonly work: string;
    readonly basic: RunningRegistry;
    readonly tokenRegistry: RunningRegistry;
    readonly tokens: TokenServer;
    /** Writes a docker config file with one login and returns its path. */
    authFile(host: string, login: { username: string; password: string }): string;
    stop(): Promise<void>;
}

/** Starts both registries and seeds `dify/existing:v1` into each. */
export async function startCheckRegistries(): Promise<CheckRegistries> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "registry-check-"));
    const tokens = await startTokenServer({
        username: LOGINS.admin.username,
        password: LOGINS.admin.password,
        users: {
            [LOGINS.puller.username]: { password: LOGINS.puller.password, actions: ["pull"] },
            [LOGINS.pusher.username]: { password: LOGINS.pusher.password, actions: ["pull", "push"] },
            [LOGINS.reader.username]: { password: LOGINS.reader.password, actions: ["pull"], refuseBeyond: true },
        },
    });
    const [basic, tokenRegistry] = await Promise.all([startRegistry({ tls: true, auth: LOGINS.basic }), startRegistry({ token: tokens })]);
    let n = 0;
    const authFile = (host: string, login: { username: string; password: string }) => {
        const file = path.join(work, `auth-${n++}.json`);
        fs.writeFileSync(file, JSON.stringify(dockerConfig(host, login)));
        return file;
    };
    await multiLayerImage(path.join(work, "image"), "v1", "registry-check", [10_000]);
    for (const [registry, login, tls] of [
        [basic, LOGINS.basic, true],
        [tokenRegistry, LOGINS.admin, false],
    ] as const) {
        const result = await skopeoCopy({
            src: `oci:${path.join(work, "image")}:v1`,
            dest: `docker://${registry.host}/dify/existing:v1`,
            authFile: authFile(registry.host, login),
            ...(tls ? { destCertDir: registry.certDir } : { destTlsVerify: false }),
        });
        if (!result.ok) throw new Error(`seeding ${registry.host} failed: ${result.stderr}`);
    }
    return {
        work,
        basic,
        tokenRegistry,
        tokens,
        authFile,
        async stop() {
            await Promise.all([basic.stop(), tokenRegistry.stop()]);
            await tokens.stop();
            fs.rmSync(work, { recursive: true, force: true });
        },
    };
}

/** Every repository of the catalog with its tags, read through the API with a login that may read the catalog. */
export async function registryContents(
    registry: RunningRegistry,
    login: { username: string; password: string },
): Promise<Record<string, string[]>> {
    const transport = new HttpTransport({
        connections: { [registry.host]: registry.caFile ? { caFile: registry.caFile } : { insecure: true } },
    });
    const session = new RegistrySession(registry.host, registry.host, { transport, credentials: login });
    const read = async (p: string, scopes: string[]) => {
        const res = await session.request("GET", p, { scopes, expect: [200], what: `GET ${p}` });
        return JSON.parse((await readBody(res)).toString("utf8"));
    };
    try {
        const { repositories } = (await read("/v2/_catalog", ["registry:catalog:*"])) as { repositories: string[] };
        const contents: Record<string, string[]> = {};
        for (const repo of repositories) {
            const { tags } = (await read(`/v2/${repo}/tags/list`, [`repository:${repo}:pull`])) as { tags: string[] | null };
            contents[repo] = [...(tags ?? [])].sort();
        }
        return contents;
    } finally {
        transport.close();
    }
}
