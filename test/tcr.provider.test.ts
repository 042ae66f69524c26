import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import {
    TcrNamespaceInputs,
    TcrNamespaceOutputs,
    tcrNamespaceProvider,
    TcrTokenInputs,
    TcrTokenOutputs,
    tcrTokenProvider,
} from "../components/resources/tcr/provider";
import { loadSerializedProvider } from "./support/dynamicProviders";
import { FakeTcrApi, withTencentCloudEnv } from "./support/fakeTcr";

const ROOT = path.resolve(__dirname, "..");
const INSTANCE = "tcr-abc12345";
const REGION = "ap-guangzhou";
const SECRET_ID = "AKIDprovidertest0001";
const SECRET_KEY = "Sentinel-tcr-key-0b7e41";

type Texts = { namespace: string; token: string };

/** In this process (tsx): the call pulumi.dynamic.Resource makes. */
async function serializeHere(): Promise<Texts> {
    const serialize = async (p: object) => (await pulumi.runtime.serializeFunction(() => p, { allowSecrets: true })).text;
    return { namespace: await serialize(tcrNamespaceProvider), token: await serialize(tcrTokenProvider) };
}

/** In a ts-node process, as the Pulumi CLI runs a TypeScript program. */
async function serializeWithTsNode(): Promise<Texts> {
    const { stdout } = await promisify(execFile)(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "test/support/serializeTcrProviders.ts"],
        {
            cwd: ROOT,
            maxBuffer: 16 * 1024 * 1024,
        },
    );
    return JSON.parse(stdout) as Texts;
}

for (const [runtime, serialize] of [
    ["tsx, in this process", serializeHere],
    ["ts-node, as the Pulumi CLI runs programs", serializeWithTsNode],
] as const) {
    describe(`TCR dynamic providers serialized by Pulumi (${runtime}), run against a loopback TCR API`, function () {
        this.timeout(60_000);
        let api: FakeTcrApi;
        let endpoint: string;
        let texts: Texts;
        let namespaces: pulumi.dynamic.ResourceProvider<TcrNamespaceInputs, TcrNamespaceOutputs>;
        let tokens: pulumi.dynamic.ResourceProvider<TcrTokenInputs, TcrTokenOutputs>;
        let connection: TcrNamespaceInputs & TcrTokenInputs;

        before(async () => {
            texts = await serialize();
            namespaces = loadSerializedProvider(texts.namespace);
            tokens = loadSerializedProvider(texts.token);
        });

        beforeEach(async () => {
            api = new FakeTcrApi();
            endpoint = await api.start();
            api.credentials.set(SECRET_ID, SECRET_KEY);
            api.addInstance(INSTANCE, "acme", REGION);
            connection = {
                instanceId: INSTANCE,
                region: REGION,
                apiEndpoint: endpoint,
                secretId: SECRET_ID,
                secretKey: SECRET_KEY,
                namespace: "dify-plugins",
                description: "dify-plugin-registry test/dify: push plugin images",
            };
        });

        afterEach(() => api.stop());

        /** Asserts every call went to TCR 2019-09-24 in the region, signed with `secretId` (signature verified). */
        function assertSigned(secretId = SECRET_ID): void {
            assert.ok(api.calls.length > 0, "no API call was made");
            for (const call of api.calls) {
                assert.match(
                    call.authorization ?? "",
                    /^TC3-HMAC-SHA256 Credential=\S+\/\d{4}-\d{2}-\d{2}\/\S+\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/,
                );
                assert.equal(call.secretId, secretId, `${call.action} is signed by ${secretId}`);
                assert.equal(call.signatureValid, true, `${call.action} has a valid signature`);
                assert.equal(call.version, "2019-09-24");
                assert.equal(call.region, REGION);
            }
        }

        it("is self-contained: requires only the TCR parts of tencentcloud-sdk-nodejs, and holds no secret", () => {
            for (const text of [texts.namespace, texts.token]) {
                assert.match(text, /^exports\.handler = /);
                const requires = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
                assert.deepEqual([...new Set(requires)].sort(), [
                    "tencentcloud-sdk-nodejs/tencentcloud/common/credential",
                    "tencentcloud-sdk-nodejs/tencentcloud/services/tcr",
                ]);
                assert.ok(!text.includes(SECRET_KEY));
            }
        });

        describe("namespace", () => {
            it("create: looks the instance up, creates the namespace private, returns the public domain", async () => {
                const { id, outs } = await namespaces.create(connection);
                assert.deepEqual(api.actions(), [
                    ["DescribeInstances", { Registryids: [INSTANCE] }],
                    ["DescribeNamespaces", { RegistryId: INSTANCE, NamespaceName: "dify-plugins", Limit: 100 }],
                    ["CreateNamespace", { RegistryId: INSTANCE, NamespaceName: "dify-plugins", IsPublic: false }],
                ]);
                assertSigned();
                assert.equal(id, `${INSTANCE}/dify-plugins`);
                assert.deepEqual(outs, { ...connection, domain: "acme.tencentcloudcr.com", instanceName: "acme", created: true });
                assert.deepEqual([...api.namespaces.get(INSTANCE)!], ["dify-plugins"]);
            });

            it("create: adopts a namespace that exists (an exact name match, not the API's substring match) and never deletes it", async () => {
                api.namespaces.get(INSTANCE)!.add("dify-plugins-old");
                api.namespaces.get(INSTANCE)!.add("dify-plugins");
                const { outs } = await namespaces.create(connection);
                assert.deepEqual(
                    api.actions().map(([action]) => action),
                    ["DescribeInstances", "DescribeNamespaces"],
                );
                assert.equal(outs!.created, false);
                api.reset();
                await namespaces.delete!(`${INSTANCE}/dify-plugins`, outs!);
                assert.deepEqual(api.calls, []);
                assert.ok(api.namespaces.get(INSTANCE)!.has("dify-plugins"));
            });

            it("create: a substring match alone is not the namespace", async () => {
                api.namespaces.get(INSTANCE)!.add("dify-plugins-old");
                const { outs } = await namespaces.create(connection);
                assert.equal(outs!.created, true);
                assert.deepEqual([...api.namespaces.get(INSTANCE)!].sort(), ["dify-plugins", "dify-plugins-old"]);
            });

            it("create: names the instance and region when the instance is not there, and creates nothing", async () => {
                await assert.rejects(
                    namespaces.create({ ...connection, region: "ap-shanghai" }),
                    /TCR instance tcr-abc12345 was not found in region ap-shanghai: check registry\.instanceId and registry\.region/,
                );
                assert.deepEqual(api.actions(), [["DescribeInstances", { Registryids: [INSTANCE] }]]);
                assert.deepEqual([...api.namespaces.get(INSTANCE)!], []);
            });

            it("read: refreshes the domain, and reports the namespace gone once it is", async () => {
                const { id, outs } = await namespaces.create(connection);
                api.instances.get(INSTANCE)!.name = "acme-renamed";
                api.reset();
                const read = await namespaces.read!(id, outs);
                assert.deepEqual(api.actions(), [
                    ["DescribeInstances", { Registryids: [INSTANCE] }],
                    ["DescribeNamespaces", { RegistryId: INSTANCE, NamespaceName: "dify-plugins", Limit: 100 }],
                ]);
                assertSigned();
                assert.deepEqual(read, { id, props: { ...outs, domain: "acme-renamed.tencentcloudcr.com", instanceName: "acme-renamed" } });
                api.namespaces.get(INSTANCE)!.clear();
                assert.equal((await namespaces.read!(id, outs)).id, "");
            });

            it("delete: deletes the namespace it created; one already gone is fine", async () => {
                const { id, outs } = await namespaces.create(connection);
                api.reset();
                await namespaces.delete!(id, outs!);
                assert.deepEqual(api.actions(), [["DeleteNamespace", { RegistryId: INSTANCE, NamespaceName: "dify-plugins" }]]);
                assertSigned();
                assert.deepEqual([...api.namespaces.get(INSTANCE)!], []);
                await namespaces.delete!(id, outs!);
                assert.equal(api.calls.length, 2);
            });

            it("diff: a new instance, region or namespace replaces; credentials and endpoint update in place", async () => {
                const { outs } = await namespaces.create(connection);
                assert.deepEqual(await namespaces.diff!("id", outs!, connection), { changes: false, replaces: [] });
                assert.deepEqual(await namespaces.diff!("id", outs!, { ...connection, namespace: "dify-next" }), {
                    changes: true,
                    replaces: ["namespace"],
                });
                assert.deepEqual(
                    await namespaces.diff!("id", outs!, { ...connection, instanceId: "tcr-other001", region: "ap-shanghai" }),
                    {
                        changes: true,
                        replaces: ["instanceId", "region"],
                    },
                );
                assert.deepEqual(await namespaces.diff!("id", outs!, { ...connection, secretKey: "rotated" }), {
                    changes: true,
                    replaces: [],
                });
            });

            it("update: keeps the outputs and takes the new credentials (a removed one is removed)", async () => {
                const { outs } = await namespaces.create(connection);
                const { secretId: _i, secretKey: _k, ...withoutCredentials } = connection;
                const updated = await namespaces.update!("id", outs!, withoutCredentials);
                assert.deepEqual(updated.outs, {
                    ...withoutCredentials,
                    domain: "acme.tencentcloudcr.com",
                    instanceName: "acme",
                    created: true,
                });
            });
        });

        describe("long-term access token", () => {
            it("create: CreateInstanceToken with TokenType longterm; the user name and token are the docker login", async () => {
                const { id, outs } = await tokens.create(connection);
                assert.deepEqual(api.actions(), [
                    [
                        "CreateInstanceToken",
                        { RegistryId: INSTANCE, TokenType: "longterm", Desc: "dify-plugin-registry test/dify: push plugin images" },
                    ],
                ]);
                assertSigned();
                const [stored] = api.tokens.get(INSTANCE)!.values();
                assert.equal(id, `${INSTANCE}/${stored.id}`);
                assert.deepEqual(outs, { ...connection, tokenId: stored.id, username: "100012345678", token: stored.token, enabled: true });
            });

            it("read: pages through DescribeInstanceToken to find it, and reports it gone once it is", async () => {
                for (let i = 0; i < 150; i++) {
                    api.addToken(INSTANCE, `other ${i}`);
                }
                const { id, outs } = await tokens.create(connection);
                api.tokens.get(INSTANCE)!.get(outs!.tokenId)!.enabled = false;
                api.reset();
                const read = await tokens.read!(id, outs);
                assert.deepEqual(api.actions(), [
                    ["DescribeInstanceToken", { RegistryId: INSTANCE, Limit: 100, Offset: 0 }],
                    ["DescribeInstanceToken", { RegistryId: INSTANCE, Limit: 100, Offset: 100 }],
                ]);
                assertSigned();
                assert.deepEqual(read, { id, props: { ...outs, enabled: false } });
                api.tokens.get(INSTANCE)!.delete(outs!.tokenId);
                assert.equal((await tokens.read!(id, outs)).id, "");
            });

            it("delete: DeleteInstanceToken; one already gone is fine", async () => {
                const { id, outs } = await tokens.create(connection);
                api.reset();
                await tokens.delete!(id, outs!);
                assert.deepEqual(api.actions(), [["DeleteInstanceToken", { RegistryId: INSTANCE, TokenId: outs!.tokenId }]]);
                assertSigned();
                assert.equal(api.tokens.get(INSTANCE)!.size, 0);
                await tokens.delete!(id, outs!);
            });

            it("diff: a new description (token rotation) replaces the token; credentials do not", async () => {
                const { outs } = await tokens.create(connection);
                assert.deepEqual(await tokens.diff!("id", outs!, { ...connection, description: "rotated" }), {
                    changes: true,
                    replaces: ["description"],
                });
                assert.deepEqual(await tokens.diff!("id", outs!, { ...connection, secretId: "AKIDnew" }), { changes: true, replaces: [] });
                assert.deepEqual(await tokens.diff!("id", outs!, connection), { changes: false, replaces: [] });
            });
        });

        describe("credentials", () => {
            it("without secretId/secretKey, signs with TENCENTCLOUD_SECRET_ID/KEY of the provider process (and sends a session token)", async () => {
                api.credentials.set("AKIDfromenv", "env-secret-key");
                const { secretId: _i, secretKey: _k, ...fromEnv } = connection;
                await withTencentCloudEnv(
                    {
                        TENCENTCLOUD_SECRET_ID: "AKIDfromenv",
                        TENCENTCLOUD_SECRET_KEY: "env-secret-key",
                        TENCENTCLOUD_SESSION_TOKEN: "session-1",
                    },
                    () => tokens.create(fromEnv),
                );
                assertSigned("AKIDfromenv");
                assert.equal(api.calls[0].sessionToken, "session-1");
            });

            it("with no credentials at all, says which variables to set and sends nothing", async () => {
                const { secretId: _i, secretKey: _k, ...fromEnv } = connection;
                await withTencentCloudEnv({}, () =>
                    assert.rejects(
                        namespaces.create(fromEnv),
                        /no TCR API credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY/,
                    ),
                );
                assert.deepEqual(api.calls, []);
            });

            it("a wrong SecretKey is refused by the API's signature check, and the error names the action", async () => {
                await assert.rejects(
                    namespaces.create({ ...connection, secretKey: "wrong" }),
                    /TCR DescribeInstances failed: AuthFailure\.SignatureFailure: .*\(RequestId req-1\)/,
                );
                assert.equal(api.calls[0].signatureValid, false);
            });
        });

        it("passes an API error on with its code and request id", async () => {
            api.failNext("CreateNamespace", "LimitExceeded.Namespace", "too many namespaces");
            await assert.rejects(
                namespaces.create(connection),
                /^Error: TCR CreateNamespace failed: LimitExceeded\.Namespace: too many namespaces \(RequestId req-3\)$/,
            );
        });
    });
}
