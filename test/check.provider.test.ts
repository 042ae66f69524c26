// The push check's dynamic provider as Pulumi serializes it (under tsx and under ts-node, the Pulumi CLI's runtime),
// loaded the way the engine's dynamic-provider process loads it, run against real loopback registries — and, for ECR
// with an access key, against a loopback ECR API that checks the request's SigV4 signature.
import * as assert from "node:assert/strict";
import { builtinModules } from "node:module";
import { execFile } from "node:child_process";
import * as http from "node:http";
import * as path from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { signV4 } from "../engines/pushCheck/ecrLogin";
import { type PushCheckInputs, type PushCheckOutputs, registryPushCheckProvider } from "../components/resources/pushCheck/provider";
import { type CheckRegistries, dockerConfig, LOGINS, registryContents, startCheckRegistries } from "./support/checkRegistries";
import { loadSerializedProvider } from "./support/dynamicProviders";
import { INSTALL_HINT, registryAvailable, type RunningRegistry, startRegistry } from "./support/registry";
import { startTokenServer } from "./support/tokenServer";

const ROOT = path.resolve(__dirname, "..");
const ECR_KEY = { accessKeyId: "AKIACHECKSENTINEL001", secretAccessKey: "Sentinel/ecr+secret/key0000000000000000000" };
const ECR_PASSWORD = "ecr-Sentinel-registry-token";

async function serializeHere(): Promise<string> {
    return (await pulumi.runtime.serializeFunction(() => registryPushCheckProvider, { allowSecrets: true })).text;
}

async function serializeWithTsNode(): Promise<string> {
    const { stdout } = await promisify(execFile)(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "test/support/serializeCheckProvider.ts"],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout) as string;
}

/** A loopback ECR API: GetAuthorizationToken for one key, refused `refuseFirst` times as IAM does a key not yet propagated. */
async function startFakeEcr(refuseFirst: number): Promise<{ endpoint: string; calls: number; stop(): Promise<void> }> {
    const state = { calls: 0 };
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            state.calls++;
            const body = Buffer.concat(chunks).toString("utf8");
            const reply = (status: number, json: unknown): void => {
                res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(json));
            };
            if (state.calls <= refuseFirst) {
                return reply(400, {
                    __type: "UnrecognizedClientException",
                    message: "The security token included in the request is invalid.",
                });
            }
            // The signature the key gives for exactly these headers and body (a wrong secret gives another).
            const amzDate = String(req.headers["x-amz-date"]);
            const expected = signV4({
                method: "POST",
                host: String(req.headers.host),
                path: req.url ?? "/",
                headers: { "content-type": String(req.headers["content-type"]), "x-amz-target": String(req.headers["x-amz-target"]) },
                body,
                region: "us-east-1",
                service: "ecr",
                ...ECR_KEY,
                date: new Date(
                    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
                ),
            }).authorization;
            if (req.headers.authorization !== expected)
                return reply(403, { __type: "InvalidSignatureException", message: "signature mismatch" });
            if (req.headers["x-amz-target"] !== "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken") {
                return reply(400, { __type: "UnknownOperationException" });
            }
            reply(200, {
                authorizationData: [
                    { authorizationToken: Buffer.from(`AWS:${ECR_PASSWORD}`).toString("base64"), expiresAt: Date.now() / 1000 + 43200 },
                ],
            });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        get calls() {
            return state.calls;
        },
        stop: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

for (const [runtime, serialize] of [
    ["tsx, in this process", serializeHere],
    ["ts-node, as the Pulumi CLI runs programs", serializeWithTsNode],
] as const) {
    describe(`live: push check dynamic provider serialized by Pulumi (${runtime}), run against real registries`, function () {
        this.timeout(180_000);
        let fx: CheckRegistries;
        let text: string;
        let provider: pulumi.dynamic.ResourceProvider<PushCheckInputs, PushCheckOutputs>;
        let inputs: PushCheckInputs;

        before(async () => {
            assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
            [text, fx] = await Promise.all([serialize(), startCheckRegistries()]);
            provider = loadSerializedProvider(text);
            inputs = {
                prefix: `${fx.basic.host}/dify/plugins`,
                auth: JSON.stringify(dockerConfig(fx.basic.host, LOGINS.basic)),
                caFile: fx.basic.caFile,
                settleMs: 0,
            };
        });
        after(() => fx?.stop());

        it("is self-contained: requires only Node built-ins", () => {
            assert.match(text, /^exports\.handler = /);
            const requires = [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
            assert.ok(requires.includes("https"), "the registry client itself was captured");
            assert.deepEqual(
                requires.filter((r) => !builtinModules.includes(r)),
                [],
            );
        });

        it("create: checks every step; the state holds the steps and a hash of the login, never the login", async () => {
            const before = await registryContents(fx.basic, LOGINS.basic);
            const { id, outs } = await provider.create(inputs);
            assert.match(id, /^push-check-[0-9a-f]{12}$/);
            assert.deepEqual(Object.keys(outs!).sort(), ["caFile", "loginHash", "prefix", "salt", "steps", "warnings"]);
            assert.equal(outs!.prefix, inputs.prefix);
            assert.equal(outs!.steps.length, 4);
            assert.match(outs!.steps[2], /^ok\s+push\s+may push under/);
            assert.match(outs!.loginHash, /^[0-9a-f]{64}$/);
            const state = JSON.stringify(outs);
            assert.ok(!state.includes(LOGINS.basic.password));
            assert.ok(!state.includes(Buffer.from(`${LOGINS.basic.username}:${LOGINS.basic.password}`).toString("base64")));
            assert.deepEqual(await registryContents(fx.basic, LOGINS.basic), before);
        });

        it("diff: the same login → no change; a new password or prefix → a change; another registry's login → no change", async () => {
            const { outs } = await provider.create(inputs);
            const same = await provider.diff!("id", outs!, inputs);
            assert.deepEqual(same, { changes: false, replaces: [], deleteBeforeReplace: false });
            const rotated = { ...inputs, auth: JSON.stringify(dockerConfig(fx.basic.host, { ...LOGINS.basic, password: "rotated" })) };
            assert.equal((await provider.diff!("id", outs!, rotated)).changes, true);
            assert.equal((await provider.diff!("id", outs!, { ...inputs, prefix: `${fx.basic.host}/other` })).changes, true);
            const more = JSON.parse(inputs.auth!);
            more.auths["other.example.com"] = { auth: Buffer.from("x:y").toString("base64") };
            assert.equal((await provider.diff!("id", outs!, { ...inputs, auth: JSON.stringify(more) })).changes, false);
        });

        it("update: checks again and keeps the salt, so an unchanged login keeps its hash", async () => {
            const { outs } = await provider.create(inputs);
            const updated = await provider.update!("id", outs!, inputs);
            assert.equal(updated.outs!.salt, outs!.salt);
            assert.equal(updated.outs!.loginHash, outs!.loginHash);
        });

        it("create: a wrong password fails naming the prefix and the step, without the password", async () => {
            const wrong = { ...inputs, auth: JSON.stringify(dockerConfig(fx.basic.host, { ...LOGINS.basic, password: "wrong-Sentinel" })) };
            await assert.rejects(provider.create(wrong), (err: Error) => {
                assert.match(
                    err.message,
                    new RegExp(`^registry push check of ${fx.basic.host}/dify/plugins failed at step "login": login rejected`),
                );
                assert.match(err.message, /\n {2}ok\s+registry .*\n {2}failed\s+login /);
                assert.ok(!err.message.includes("wrong-Sentinel"));
                return true;
            });
        });

        it("create: a pull-only login on the token registry fails with push not allowed on the prefix", async () => {
            const prefix = `${fx.tokenRegistry.host}/dify/plugins`;
            const puller = { prefix, auth: JSON.stringify(dockerConfig(fx.tokenRegistry.host, LOGINS.puller)), insecure: true };
            await assert.rejects(provider.create(puller), new RegExp(`failed at step "push": push not allowed on ${prefix}`));
            const pusher = { ...puller, auth: JSON.stringify(dockerConfig(fx.tokenRegistry.host, LOGINS.pusher)) };
            assert.equal((await provider.create(pusher)).outs!.steps.length, 4);
        });

        it("check: a malformed auth or prefix is refused without echoing the login", async () => {
            const { failures } = await provider.check!({} as PushCheckInputs, { ...inputs, prefix: "https://x/Y", auth: "Sentinel{" });
            assert.deepEqual(
                failures!.map((f) => f.property),
                ["prefix", "auth"],
            );
            assert.ok(!JSON.stringify(failures).includes("Sentinel"));
        });

        it("settleMs: a push refused at first (a role assignment still propagating) is tried again until it is allowed", async () => {
            // The token server reads its users on every request: push is granted 1.5 s after the check starts.
            const users: Record<string, { password: string; actions: string[] }> = { late: { password: "late-pw", actions: ["pull"] } };
            const tokens = await startTokenServer({ users });
            const registry = await startRegistry({ token: tokens });
            try {
                const timer = setTimeout(() => users.late.actions.push("push"), 1500);
                const started = Date.now();
                const { outs } = await provider.create({
                    prefix: `${registry.host}/dify`,
                    auth: JSON.stringify(dockerConfig(registry.host, { username: "late", password: "late-pw" })),
                    insecure: true,
                    settleMs: 30_000,
                });
                clearTimeout(timer);
                assert.ok(Date.now() - started >= 1500);
                assert.match(outs!.steps[2], /^ok\s+push/);
                // Without settling, the same refusal fails at once.
                users.late.actions.splice(1);
                await assert.rejects(
                    provider.create({
                        prefix: `${registry.host}/dify`,
                        auth: JSON.stringify(dockerConfig(registry.host, { username: "late", password: "late-pw" })),
                        insecure: true,
                    }),
                    /push not allowed/,
                );
            } finally {
                await registry.stop();
                await tokens.stop();
            }
        });

        describe("ECR with an access key", () => {
            let ecrRegistry: RunningRegistry;
            before(async () => {
                ecrRegistry = await startRegistry({ tls: true, auth: { username: "AWS", password: ECR_PASSWORD } });
            });
            after(() => ecrRegistry?.stop());

            it("exchanges the key for a login (SigV4 GetAuthorizationToken), waiting while IAM propagates a new key", async () => {
                const ecr = await startFakeEcr(2);
                try {
                    const { outs } = await provider.create({
                        prefix: `${ecrRegistry.host}/dify/plugins`,
                        ecr: { region: "us-east-1", ...ECR_KEY, endpoint: ecr.endpoint, propagationTimeoutMs: 20_000 },
                        caFile: ecrRegistry.caFile,
                    });
                    assert.equal(ecr.calls, 3);
                    assert.match(outs!.steps[1], /the login of "AWS" is accepted/);
                    const state = JSON.stringify(outs);
                    assert.ok(!state.includes(ECR_KEY.secretAccessKey) && !state.includes(ECR_PASSWORD));
                } finally {
                    await ecr.stop();
                }
            });

            it("a wrong secret key is refused by ECR: the failure names the key id, not the secret", async () => {
                const ecr = await startFakeEcr(0);
                try {
                    await assert.rejects(
                        provider.create({
                            prefix: `${ecrRegistry.host}/dify/plugins`,
                            ecr: {
                                region: "us-east-1",
                                accessKeyId: ECR_KEY.accessKeyId,
                                secretAccessKey: "wrong",
                                endpoint: ecr.endpoint,
                                propagationTimeoutMs: 0,
                            },
                            caFile: ecrRegistry.caFile,
                        }),
                        (err: Error) => {
                            assert.match(
                                err.message,
                                /ECR GetAuthorizationToken with the access key AKIACHECKSENTINEL001 failed \(HTTP 403 InvalidSignatureException/,
                            );
                            assert.ok(!err.message.includes("wrong"));
                            return true;
                        },
                    );
                } finally {
                    await ecr.stop();
                }
            });
        });
    });
}
