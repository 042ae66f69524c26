/**
 * The accessKey token refresher's script, run for real with bash: a stub `aws` on PATH prints an ECR password, and a
 * loopback fake of the Kubernetes Secret API (node http on 127.0.0.1) checks the bearer token and applies the patch.
 * The Secret it ends up with must be a docker config that logs in to the registry host.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { REFRESHER_SCRIPT } from "../components/registries/ecr/refresherScript";

const NAMESPACE = "dify";
const SA_TOKEN = "sa-token-Sentinel-5b8e1d";
const SECRET_PATH = `/api/v1/namespaces/${NAMESPACE}/secrets/image-repo-secret`;
const b64 = (s: string) => Buffer.from(s).toString("base64");

interface Request {
    readonly method: string;
    readonly path: string;
    readonly authorization?: string;
    readonly contentType?: string;
    readonly body: string;
}

/** A Kubernetes API server that knows one Secret and answers GET and merge PATCH on it, as the real one does. */
class FakeSecretApi {
    readonly requests: Request[] = [];
    secret: Record<string, any> | undefined;
    /** Answer PATCH with this status (and a Kubernetes Status) instead of applying it. */
    patchStatus?: number;
    private server?: http.Server;

    constructor(secret: Record<string, any> | undefined) {
        this.secret = secret;
    }

    async start(): Promise<string> {
        this.server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk) => (body += chunk));
            req.on("end", () => this.answer(req, body, res));
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    }

    stop(): Promise<void> {
        return new Promise((resolve) => this.server!.close(() => resolve()));
    }

    private answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
        const request = {
            method: req.method!,
            path: req.url!,
            authorization: req.headers.authorization,
            contentType: req.headers["content-type"],
            body,
        };
        this.requests.push(request);
        const send = (code: number, object: object) => {
            res.writeHead(code, { "content-type": "application/json" });
            res.end(JSON.stringify(object));
        };
        const status = (code: number, message: string) =>
            send(code, { kind: "Status", apiVersion: "v1", status: "Failure", message, code });
        if (request.authorization !== `Bearer ${SA_TOKEN}`) {
            status(401, "Unauthorized");
            return;
        }
        if (request.path !== SECRET_PATH) {
            status(403, `secrets is forbidden: only ${SECRET_PATH}`);
            return;
        }
        if (!this.secret) {
            status(404, 'secrets "image-repo-secret" not found');
            return;
        }
        if (request.method === "GET") {
            send(200, this.secret);
            return;
        }
        if (request.method !== "PATCH" || request.contentType !== "application/merge-patch+json") {
            status(405, `${request.method} ${request.contentType} is not allowed`);
            return;
        }
        if (this.patchStatus !== undefined) {
            status(this.patchStatus, 'secrets "image-repo-secret" is forbidden: User "system:serviceaccount:dify:x" cannot patch');
            return;
        }
        const patch = JSON.parse(body) as { data?: Record<string, string> };
        this.secret = { ...this.secret, data: { ...this.secret.data, ...patch.data } };
        send(200, this.secret);
    }
}

const existingSecret = () => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "image-repo-secret", namespace: NAMESPACE, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": b64('{"auths":{}}'), "config.json": b64('{"auths":{}}') },
});

// The stub stands in for the AWS CLI: it logs its arguments and prints a password, or fails like the real one.
const STUB_AWS = [
    "#!/usr/bin/env bash",
    'printf "%s\\n" "$*" >> "$STUB_LOG"',
    '[ "$1 $2" = "ecr get-login-password" ] || { echo "stub: unexpected aws $*" >&2; exit 2; }',
    '[ -n "$AWS_ACCESS_KEY_ID" ] && [ -n "$AWS_SECRET_ACCESS_KEY" ] || { echo "Unable to locate credentials" >&2; exit 253; }',
    '[ -z "$STUB_FAIL" ] || { echo "An error occurred (UnrecognizedClientException) when calling the GetAuthorizationToken operation" >&2; exit 254; }',
    'printf "%s\\n" "$STUB_TOKEN"',
].join("\n");

interface Run {
    readonly code: number | null;
    readonly output: string;
    readonly awsCalls: string[];
}

describe("ECR token refresher script (bash, real)", function () {
    this.timeout(30_000);
    let dir: string;
    let api: FakeSecretApi;
    let apiUrl: string;
    // A real ECR password is a ~2 KB base64 blob: long enough to show nothing truncates it.
    const token = randomBytes(1600).toString("base64");

    beforeEach(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-refresher-"));
        fs.mkdirSync(path.join(dir, "bin"));
        fs.mkdirSync(path.join(dir, "sa"));
        fs.writeFileSync(path.join(dir, "bin", "aws"), STUB_AWS, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "refresh.sh"), REFRESHER_SCRIPT);
        fs.writeFileSync(path.join(dir, "sa", "token"), SA_TOKEN);
        fs.writeFileSync(path.join(dir, "sa", "namespace"), NAMESPACE);
        fs.writeFileSync(path.join(dir, "sa", "ca.crt"), "");
        api = new FakeSecretApi(existingSecret());
        apiUrl = await api.start();
    });

    afterEach(async () => {
        await api.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Runs the script as the pod does (bash, env from the pod spec), with the stub first on PATH. */
    function run(env: Record<string, string>): Promise<Run> {
        const log = path.join(dir, "aws.log");
        const child = spawn("bash", [path.join(dir, "refresh.sh")], {
            env: {
                PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
                HOME: dir,
                SA_DIR: path.join(dir, "sa"),
                KUBE_API_URL: apiUrl,
                AWS_ACCESS_KEY_ID: "AKIAQSENTINEL7F3A9C0",
                AWS_SECRET_ACCESS_KEY: "Sentinel/SecretAccessKey",
                STUB_LOG: log,
                STUB_TOKEN: token,
                STUB_FAIL: "",
                ...env,
            },
        });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        return new Promise((resolve) =>
            child.on("close", (code) =>
                resolve({ code, output, awsCalls: fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [] }),
            ),
        );
    }

    function assertNoLeak(output: string): void {
        for (const secret of [token, b64(`AWS:${token}`), SA_TOKEN, "Sentinel/SecretAccessKey"]) {
            assert.ok(!output.includes(secret), "the script's output must not contain a credential");
        }
    }

    for (const [partition, region, host] of [
        ["aws", "us-east-1", "123456789012.dkr.ecr.us-east-1.amazonaws.com"],
        ["aws-cn", "cn-north-1", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"],
    ] as const) {
        it(`${partition}: writes a docker config for ${host} into image-repo-secret, touching nothing else`, async () => {
            const result = await run({ AWS_REGION: region, REGISTRY_HOST: host });
            assert.equal(result.code, 0, result.output);
            assert.deepEqual(result.awsCalls, [`ecr get-login-password --region ${region}`]);
            assert.deepEqual(
                api.requests.map((r) => [r.method, r.path, r.authorization, r.contentType]),
                [
                    ["GET", SECRET_PATH, `Bearer ${SA_TOKEN}`, undefined],
                    ["PATCH", SECRET_PATH, `Bearer ${SA_TOKEN}`, "application/merge-patch+json"],
                ],
            );
            assert.deepEqual(Object.keys(JSON.parse(api.requests[1].body)), ["data"], "the patch only touches data");

            const secret = api.secret!;
            assert.deepEqual({ ...secret, data: undefined }, { ...existingSecret(), data: undefined }, "type and metadata are kept");
            assert.deepEqual(Object.keys(secret.data).sort(), [".dockerconfigjson", "config.json"]);
            assert.equal(secret.data[".dockerconfigjson"], secret.data["config.json"]);
            const config = JSON.parse(Buffer.from(secret.data["config.json"], "base64").toString("utf8"));
            assert.deepEqual(config, { auths: { [host]: { auth: b64(`AWS:${token}`) } } });
            // What docker, kaniko and kubelet do with the entry: base64-decode it into user:password.
            assert.equal(Buffer.from(config.auths[host].auth, "base64").toString(), `AWS:${token}`);
            assert.match(result.output, new RegExp(`refreshed dify/image-repo-secret for ${host.replace(/\./g, "\\.")}`));
            assertNoLeak(result.output);
        });
    }

    it("takes the namespace from the environment when given (the pod spec sets it from metadata.namespace)", async () => {
        fs.writeFileSync(path.join(dir, "sa", "namespace"), "elsewhere");
        const result = await run({ AWS_REGION: "us-east-1", REGISTRY_HOST: "123456789012.dkr.ecr.us-east-1.amazonaws.com", NAMESPACE });
        assert.equal(result.code, 0, result.output);
    });

    it("fails without writing when the AWS CLI cannot get a password", async () => {
        const result = await run({
            AWS_REGION: "us-east-1",
            REGISTRY_HOST: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            STUB_FAIL: "1",
        });
        assert.notEqual(result.code, 0);
        assert.match(result.output, /aws ecr get-login-password --region us-east-1 failed/);
        assert.deepEqual(
            api.requests.map((r) => r.method),
            ["GET"],
            "no PATCH",
        );
        assert.equal(api.secret!.data["config.json"], b64('{"auths":{}}'));
    });

    it("fails before calling AWS when image-repo-secret does not exist (the Role may not create it)", async () => {
        api.secret = undefined;
        const result = await run({ AWS_REGION: "us-east-1", REGISTRY_HOST: "123456789012.dkr.ecr.us-east-1.amazonaws.com" });
        assert.notEqual(result.code, 0);
        assert.match(result.output, /Secret dify\/image-repo-secret does not exist/);
        assert.deepEqual(result.awsCalls, []);
    });

    it("fails when the Secret is not a docker config", async () => {
        api.secret = { ...existingSecret(), type: "Opaque" };
        const result = await run({ AWS_REGION: "us-east-1", REGISTRY_HOST: "123456789012.dkr.ecr.us-east-1.amazonaws.com" });
        assert.notEqual(result.code, 0);
        assert.match(result.output, /is not of type kubernetes\.io\/dockerconfigjson/);
    });

    it("reports the API's refusal of the patch, without the request body", async () => {
        api.patchStatus = 403;
        const result = await run({ AWS_REGION: "us-east-1", REGISTRY_HOST: "123456789012.dkr.ecr.us-east-1.amazonaws.com" });
        assert.notEqual(result.code, 0);
        assert.match(result.output, /PATCH Secret dify\/image-repo-secret: HTTP 403 secrets "image-repo-secret" is forbidden/);
        assertNoLeak(result.output);
    });

    it("refuses a registry host that would break the JSON, before calling anything", async () => {
        const result = await run({ AWS_REGION: "us-east-1", REGISTRY_HOST: 'evil","x":"' });
        assert.notEqual(result.code, 0);
        assert.match(result.output, /is not a registry host name/);
        assert.deepEqual(api.requests, []);
    });

    it("refuses a password with characters a token never has", async () => {
        const result = await run({
            AWS_REGION: "us-east-1",
            REGISTRY_HOST: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
            STUB_TOKEN: 'abc"}',
        });
        assert.notEqual(result.code, 0);
        assert.match(result.output, /printed something that is not a token/);
        assert.deepEqual(
            api.requests.map((r) => r.method),
            ["GET"],
        );
    });
});
