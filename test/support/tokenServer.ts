// A loopback token service for the registry Bearer flow. docker-registry itself verifies the JWTs it issues (RS256,
// certificate in the x5c header, trusted through the registry's rootcertbundle), so the test exercises real token auth.
import { execFileSync } from "node:child_process";
import { X509Certificate, randomBytes, sign } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";

export interface TokenRequest {
    readonly user: string | undefined; // undefined = anonymous
    readonly scopes: readonly string[];
    readonly status: number;
}

export interface TokenServer {
    readonly realm: string;
    readonly service: string;
    readonly issuer: string;
    readonly rootCertBundle: string; // PEM certificate the registry trusts
    readonly requests: TokenRequest[];
    stop(): Promise<void>;
}

export interface TokenServerOptions {
    /** A user granted every action asked for. */
    readonly username?: string;
    readonly password?: string;
    /** More users, each granted only `actions` of what it asks for (e.g. `["pull"]`: a read-only login). */
    readonly users?: Readonly<
        Record<
            string,
            {
                readonly password: string;
                readonly actions: readonly string[];
                /** Refuse the token (401) when more is asked than granted, as Docker Hub does for a read-only token. */
                readonly refuseBeyond?: boolean;
            }
        >
    >;
    /** Anonymous callers get pull-only tokens when true, 401 otherwise. */
    readonly anonymousPull?: boolean;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "token-server-"));
    const keyFile = path.join(dir, "token.key");
    const certFile = path.join(dir, "token.crt");
    execFileSync(
        "openssl",
        [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=test-token-issuer",
            "-keyout",
            keyFile,
            "-out",
            certFile,
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
    );
    const key = fs.readFileSync(keyFile, "utf8");
    const certDer = new X509Certificate(fs.readFileSync(certFile)).raw;
    const service = "test-registry";
    const issuer = "test-token-issuer";
    const requests: TokenRequest[] = [];

    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const scopes = url.searchParams.getAll("scope");
        const user = basicUser(req.headers.authorization);
        const reply = (status: number, body: unknown) => {
            requests.push({ user: user?.name, scopes, status });
            res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
        };
        if (url.pathname !== "/token" || url.searchParams.get("service") !== service) return reply(400, { error: "bad request" });
        const full = user !== undefined && opts.username !== undefined && user.name === opts.username && user.password === opts.password;
        const limited = user !== undefined && !full ? opts.users?.[user.name] : undefined;
        const valid = full || (limited !== undefined && limited.password === user!.password);
        if (user !== undefined && !valid) return reply(401, { error: "invalid credentials" });
        // Like distribution's token servers: grant what the login may do of what was asked, never refuse the token.
        const allowed = (action: string) => (full ? true : limited ? limited.actions.includes(action) : action === "pull");
        if (limited?.refuseBeyond && scopes.flatMap((s) => parseScope(s)?.actions ?? []).some((a) => !allowed(a))) {
            return reply(401, { details: "access token has insufficient scopes" });
        }
        if (user === undefined && !opts.anonymousPull) return reply(401, { error: "login required" });
        const access = scopes
            .map(parseScope)
            .filter((a) => a !== undefined)
            .map((a) => ({
                ...a,
                actions: a.actions.filter(allowed),
            }));
        const now = Math.floor(Date.now() / 1000);
        const header = b64url(JSON.stringify({ typ: "JWT", alg: "RS256", x5c: [certDer.toString("base64")] }));
        const claims = b64url(
            JSON.stringify({
                iss: issuer,
                sub: user?.name ?? "",
                aud: service,
                exp: now + 300,
                nbf: now - 10,
                iat: now,
                jti: randomBytes(8).toString("hex"),
                access,
            }),
        );
        const signature = b64url(sign("sha256", Buffer.from(`${header}.${claims}`), key));
        reply(200, { token: `${header}.${claims}.${signature}`, expires_in: 300, issued_at: new Date().toISOString() });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    return {
        realm: `http://127.0.0.1:${port}/token`,
        service,
        issuer,
        rootCertBundle: certFile,
        requests,
        async stop() {
            server.closeAllConnections();
            await new Promise((resolve) => server.close(resolve));
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

function basicUser(header: string | undefined): { name: string; password: string } | undefined {
    if (!header?.startsWith("Basic ")) return undefined;
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
    const parts = scope.split(":");
    if (parts.length < 3) return undefined;
    return { type: parts[0], name: parts.slice(1, -1).join(":"), actions: parts[parts.length - 1].split(",") };
}
