/**
 * A loopback HTTP server that answers the TCR API actions the TCR providers send (API 2019-09-24, TC3-HMAC-SHA256
 * signed JSON POSTs, as tencentcloud-sdk-nodejs sends them), keeping instances, namespaces and tokens in memory.
 * It checks every signature against the credentials it was given, like the real API, and records every call.
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface TcrCall {
    /** `X-TC-Action`. */
    readonly action: string;
    readonly region?: string;
    readonly version?: string;
    /** `X-TC-Token` (temporary credentials). */
    readonly sessionToken?: string;
    readonly authorization?: string;
    /** SecretId named in the `Authorization` credential scope. */
    readonly secretId?: string;
    /** The signature matches the body, headers and a known SecretKey. */
    readonly signatureValid: boolean;
    /** The JSON body: the action's parameters. */
    readonly params: Record<string, unknown>;
}

interface Token {
    readonly id: string;
    readonly desc: string;
    readonly username: string;
    readonly token: string;
    enabled: boolean;
}

const hmac = (key: crypto.BinaryLike | crypto.KeyObject, data: string) => crypto.createHmac("sha256", key).update(data).digest();
const sha256hex = (data: string) => crypto.createHash("sha256").update(data).digest("hex");

export class FakeTcrApi {
    readonly calls: TcrCall[] = [];
    /** SecretId → SecretKey accepted by the API. */
    readonly credentials = new Map<string, string>();
    readonly instances = new Map<string, { name: string; region: string; status: string }>();
    readonly namespaces = new Map<string, Set<string>>();
    readonly tokens = new Map<string, Map<string, Token>>();
    /** The Tencent Cloud account (UIN) the tokens are issued to. */
    username = "100012345678";
    private readonly failures = new Map<string, { code: string; message: string }>();
    private server?: http.Server;
    private sequence = 0;

    /** Starts on 127.0.0.1 and returns the endpoint for `apiEndpoint` (`http://127.0.0.1:PORT`). */
    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const response = this.handle(req, Buffer.concat(chunks).toString("utf8"));
                res.writeHead(200, { "Content-Type": "application/json" });
                res.end(JSON.stringify({ Response: { ...response, RequestId: `req-${++this.sequence}` } }));
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    addInstance(id: string, name: string, region: string): void {
        this.instances.set(id, { name, region, status: "Running" });
        this.namespaces.set(id, new Set());
        this.tokens.set(id, new Map());
    }

    /** Adds a token made elsewhere (to make the listing span pages). */
    addToken(instanceId: string, desc: string): string {
        const id = `tk-${crypto.randomBytes(6).toString("hex")}`;
        this.tokens
            .get(instanceId)!
            .set(id, { id, desc, username: this.username, token: crypto.randomBytes(24).toString("hex"), enabled: true });
        return id;
    }

    /** The next call of `action` fails with this API error. */
    failNext(action: string, code: string, message: string): void {
        this.failures.set(action, { code, message });
    }

    /** Calls since the last `reset`, as `[action, params]`. */
    actions(): [string, Record<string, unknown>][] {
        return this.calls.map((c) => [c.action, c.params]);
    }

    reset(): void {
        this.calls.length = 0;
    }

    private handle(req: http.IncomingMessage, body: string): Record<string, unknown> {
        const header = (name: string) => req.headers[name] as string | undefined;
        const params = body ? (JSON.parse(body) as Record<string, any>) : {};
        const authorization = header("authorization");
        const secretId = /Credential=([^/]+)\//.exec(authorization ?? "")?.[1];
        const call: TcrCall = {
            action: header("x-tc-action") ?? "",
            region: header("x-tc-region"),
            version: header("x-tc-version"),
            sessionToken: header("x-tc-token"),
            authorization,
            secretId,
            signatureValid: this.verify(req, body),
            params,
        };
        this.calls.push(call);
        if (!call.signatureValid) {
            return error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.");
        }
        const failure = this.failures.get(call.action);
        if (failure) {
            this.failures.delete(call.action);
            return error(failure.code, failure.message);
        }
        return this.answer(call.action, call.region, params);
    }

    private answer(action: string, region: string | undefined, p: Record<string, any>): Record<string, unknown> {
        const instance = (id: unknown) => {
            const found = this.instances.get(String(id));
            return found && found.region === region ? found : undefined;
        };
        switch (action) {
            case "DescribeInstances": {
                const ids = (p.Registryids as string[] | undefined) ?? [...this.instances.keys()];
                const registries = ids.flatMap((id) => {
                    const i = instance(id);
                    return i
                        ? [
                              {
                                  RegistryId: id,
                                  RegistryName: i.name,
                                  Status: i.status,
                                  PublicDomain: `${i.name}.tencentcloudcr.com`,
                                  RegionName: i.region,
                              },
                          ]
                        : [];
                });
                return { Registries: registries, TotalCount: registries.length };
            }
            case "DescribeNamespaces": {
                if (!instance(p.RegistryId)) {
                    return error("ResourceNotFound", `instance ${p.RegistryId} not found`);
                }
                // The real filter matches substrings, so the provider has to compare names itself.
                const names = [...this.namespaces.get(p.RegistryId)!].filter((n) => !p.NamespaceName || n.includes(p.NamespaceName));
                return { NamespaceList: names.map((Name, i) => ({ Name, NamespaceId: i + 1, Public: false })), TotalCount: names.length };
            }
            case "CreateNamespace": {
                const set = instance(p.RegistryId) && this.namespaces.get(p.RegistryId);
                if (!set) {
                    return error("ResourceNotFound", `instance ${p.RegistryId} not found`);
                }
                if (set.has(p.NamespaceName)) {
                    return error("ResourceInUse", `namespace ${p.NamespaceName} exists`);
                }
                set.add(p.NamespaceName);
                return {};
            }
            case "DeleteNamespace": {
                const set = this.namespaces.get(p.RegistryId);
                if (!instance(p.RegistryId) || !set?.delete(p.NamespaceName)) {
                    return error("ResourceNotFound.NamespaceNotExist", `namespace ${p.NamespaceName} not found`);
                }
                return {};
            }
            case "CreateInstanceToken": {
                if (!instance(p.RegistryId)) {
                    return error("ResourceNotFound", `instance ${p.RegistryId} not found`);
                }
                const token = crypto.randomBytes(24).toString("base64url");
                if (p.TokenType !== "longterm") {
                    return { Username: this.username, Token: token, ExpTime: Date.now() + 3600_000 }; // temporary: no TokenId
                }
                const id = `tk-${crypto.randomBytes(6).toString("hex")}`;
                this.tokens.get(p.RegistryId)!.set(id, { id, desc: p.Desc ?? "", username: this.username, token, enabled: true });
                return { Username: this.username, Token: token, ExpTime: 4102444800000, TokenId: id };
            }
            case "DescribeInstanceToken": {
                if (!instance(p.RegistryId)) {
                    return error("ResourceNotFound", `instance ${p.RegistryId} not found`);
                }
                const all = [...this.tokens.get(p.RegistryId)!.values()];
                const page = all.slice(p.Offset ?? 0, (p.Offset ?? 0) + (p.Limit ?? 20));
                const Tokens = page.map((t) => ({
                    Id: t.id,
                    Desc: t.desc,
                    RegistryId: p.RegistryId,
                    Enabled: t.enabled,
                    CreatedAt: "2026-01-01T00:00:00Z",
                    ExpiredAt: 0,
                }));
                return { Tokens, TotalCount: all.length };
            }
            case "DeleteInstanceToken": {
                if (!instance(p.RegistryId) || !this.tokens.get(p.RegistryId)!.delete(p.TokenId)) {
                    return error("ResourceNotFound", `token ${p.TokenId} not found`);
                }
                return {};
            }
            default:
                return error("InvalidAction", `the fake TCR API does not implement ${action}`);
        }
    }

    /** Recomputes TC3-HMAC-SHA256 (Tencent Cloud API signature v3) with the known key. */
    private verify(req: http.IncomingMessage, body: string): boolean {
        const m =
            /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
                String(req.headers.authorization ?? ""),
            );
        const secretKey = m && this.credentials.get(m[1]);
        if (!m || !secretKey) {
            return false;
        }
        const [, , date, service, signedHeaders, signature] = m;
        const timestamp = Number(req.headers["x-tc-timestamp"]);
        if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date || Math.abs(Date.now() / 1000 - timestamp) > 300) {
            return false;
        }
        const canonicalHeaders = signedHeaders
            .split(";")
            .map((h) => `${h}:${h === "host" ? String(req.headers.host).replace(/:\d+$/, "") : req.headers[h]}\n`)
            .join("");
        const canonicalRequest = [
            req.method,
            req.url!.split("?")[0],
            req.url!.split("?")[1] ?? "",
            canonicalHeaders,
            signedHeaders,
            sha256hex(body),
        ].join("\n");
        const stringToSign = ["TC3-HMAC-SHA256", String(timestamp), `${date}/${service}/tc3_request`, sha256hex(canonicalRequest)].join(
            "\n",
        );
        const key = hmac(hmac(hmac(`TC3${secretKey}`, date), service), "tc3_request");
        return crypto.timingSafeEqual(Buffer.from(hmac(key, stringToSign).toString("hex")), Buffer.from(signature));
    }
}

function error(code: string, message: string): Record<string, unknown> {
    return { Error: { Code: code, Message: message } };
}

const TENCENTCLOUD_VARS = ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_SESSION_TOKEN"];

/** Runs `fn` with exactly these TENCENTCLOUD_* variables (the others unset), then restores the environment. */
export async function withTencentCloudEnv<T>(vars: Record<string, string>, fn: () => T | Promise<T>): Promise<T> {
    const saved = Object.fromEntries(TENCENTCLOUD_VARS.map((k) => [k, process.env[k]]));
    for (const k of TENCENTCLOUD_VARS) {
        if (vars[k] === undefined) {
            delete process.env[k];
        } else {
            process.env[k] = vars[k];
        }
    }
    try {
        return await fn();
    } finally {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) {
                delete process.env[k];
            } else {
                process.env[k] = v;
            }
        }
    }
}
