/**
 * ECR with an access key: the push user's key exchanged for a registry login (`GetAuthorizationToken`, the call behind
 * `aws ecr get-login-password`), so the push check proves what the in-cluster refresher will hand kaniko. Signed with
 * AWS Signature Version 4 on node:crypto and node:https: the check runs in Pulumi's dynamic-provider process, which
 * must not depend on an AWS SDK being installed.
 */
import { createHash, createHmac } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";

/** The access key and where its registry is. */
export interface EcrLogin {
    readonly region: string;
    readonly accessKeyId: string;
    /** Secret. */
    readonly secretAccessKey: string;
    /** The ECR API endpoint; default `https://api.ecr.<region>.amazonaws.com` (`.amazonaws.com.cn` in China). */
    readonly endpoint?: string;
    /** How long a new key may be refused while IAM propagates it. Default 60 s. */
    readonly propagationTimeoutMs?: number;
}

/** A request to sign. */
export interface SigV4Request {
    readonly method: string;
    readonly host: string;
    readonly path: string;
    /** Headers besides `host` and `x-amz-date`, which are added. */
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string;
    readonly region: string;
    readonly service: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly date: Date;
}

const sha256 = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** The headers of a SigV4-signed request (`authorization`, `x-amz-date`, `host` and the given ones). No query string. */
export function signV4(request: SigV4Request): Record<string, string> {
    const amzDate = request.date
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
    const day = amzDate.slice(0, 8);
    const headers: Record<string, string> = { host: request.host, "x-amz-date": amzDate };
    for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
    const names = Object.keys(headers).sort();
    const canonical = [
        request.method,
        request.path,
        "",
        names.map((n) => `${n}:${headers[n].trim().replace(/\s+/g, " ")}\n`).join(""),
        names.join(";"),
        sha256(request.body),
    ].join("\n");
    const scope = `${day}/${request.region}/${request.service}/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
    let key = hmac(`AWS4${request.secretAccessKey}`, day);
    for (const part of [request.region, request.service, "aws4_request"]) key = hmac(key, part);
    const signature = createHmac("sha256", key).update(toSign, "utf8").digest("hex");
    return {
        ...headers,
        authorization: `AWS4-HMAC-SHA256 Credential=${request.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
    };
}

/** `https://api.ecr.<region>.amazonaws.com`, `.amazonaws.com.cn` for the China regions. */
export function ecrApiEndpoint(region: string): string {
    return `https://api.ecr.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

// Refusals IAM gives a key it has not propagated yet; anything else is final.
const PROPAGATING = ["UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException"];

/** Exchanges the key for a login; resolves with a docker config holding it under `registry`. */
export async function ecrDockerConfig(login: EcrLogin, registry: string): Promise<{ auths: Record<string, { auth: string }> }> {
    const deadline = Date.now() + (login.propagationTimeoutMs ?? 60_000);
    for (let attempt = 0; ; attempt++) {
        const { status, body } = await getAuthorizationToken(login);
        const json = safeJson(body) as { authorizationData?: { authorizationToken?: string }[]; __type?: string; message?: string };
        const token = json.authorizationData?.[0]?.authorizationToken;
        if (status === 200 && token) return { auths: { [registry]: { auth: token } } };
        const type = String(json.__type ?? "").replace(/^.*#/, "");
        const retry = status >= 500 || status === 429 || type === "ThrottlingException" || PROPAGATING.includes(type);
        if (!retry || Date.now() >= deadline) {
            throw new Error(
                `ECR GetAuthorizationToken with the access key ${login.accessKeyId} failed (HTTP ${status}${type ? ` ${type}` : ""}` +
                    `${json.message ? `: ${json.message}` : ""}); the push check could not log in to ${registry}`,
            );
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 500 * 2 ** attempt)));
    }
}

function getAuthorizationToken(login: EcrLogin): Promise<{ status: number; body: string }> {
    const url = new URL(login.endpoint ?? ecrApiEndpoint(login.region));
    const body = "{}";
    const headers = signV4({
        method: "POST",
        host: url.host,
        path: "/",
        headers: {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
        },
        body,
        region: login.region,
        service: "ecr",
        accessKeyId: login.accessKeyId,
        secretAccessKey: login.secretAccessKey,
        date: new Date(),
    });
    return new Promise((resolve, reject) => {
        const req = (url.protocol === "http:" ? http : https).request(
            new URL("/", url),
            { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) }, timeout: 15_000 },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
                res.on("error", reject);
            },
        );
        req.on("timeout", () => req.destroy(new Error(`${url.host}: no answer for 15 s`)));
        req.on("error", reject);
        req.end(body);
    });
}

function safeJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return {};
    }
}
