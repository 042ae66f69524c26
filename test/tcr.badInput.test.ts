import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { evaluateFailingLater, thrownBy } from "./support/evaluate";
import { withTencentCloudEnv } from "./support/fakeTcr";
import { registered, resetRecorded, settle } from "./support/mocks";
import { INSTANCE, useFakeTcr } from "./support/tcrFixture";

describe("TCR registry (type: tcr): bad input", function () {
    this.timeout(60_000);
    const tcr = useFakeTcr();
    const managed = tcr.managed;

    describe("bad input is rejected before anything is registered", () => {
        async function rejected(registry: Record<string, unknown>): Promise<string> {
            resetRecorded();
            const error = thrownBy(
                () => new DifyPluginRegistry("bad", { registry, chart: { version: "3.9.1" } } as unknown as DifyPluginRegistryArgs),
            );
            await settle();
            assert.ok(pulumi.InputPropertiesError.isInstance(error), `expected InputPropertiesError, got ${error}`);
            assert.deepEqual(registered(), [], "nothing may be registered");
            assert.deepEqual(tcr.api.calls, [], "no API call may be made");
            return error.message;
        }
        const valid = (): Record<string, unknown> => ({ ...(managed().registry as object) });

        it("a missing instance id", async () => {
            const { instanceId: _, ...rest } = valid();
            assert.match(
                await rejected(rest),
                /registry\.instanceId: is required: the id of an existing TCR Enterprise instance, e\.g\. `tcr-dg284imq`/,
            );
        });

        it("an instance id that is not one (an instance name)", async () => {
            assert.match(
                await rejected({ ...valid(), instanceId: "acme" }),
                /registry\.instanceId: "acme" is not a TCR Enterprise instance id: `tcr-` and lowercase letters or digits/,
            );
        });

        for (const namespace of ["Dify", "d", "-dify", "dify-", "dify--plugins", "dify/plugins", "x".repeat(31)]) {
            it(`a namespace like ${JSON.stringify(namespace)}`, async () => {
                assert.match(
                    await rejected({ ...valid(), namespace }),
                    /registry\.namespace: ".*" is not a TCR namespace: 2-30 lowercase letters and digits, with single '\.', '_' or '-' between them/,
                );
            });
        }

        it("a missing namespace", async () => {
            const { namespace: _, ...rest } = valid();
            assert.match(await rejected(rest), /registry\.namespace: is required: the TCR namespace plugin images go to/);
        });

        it("neither API credentials (arguments or environment) nor an existing token", async () => {
            const { secretId: _i, secretKey: _k, ...rest } = valid();
            const msg = await withTencentCloudEnv({ TENCENTCLOUD_SECRET_ID: "AKIDonly" }, () => rejected(rest));
            assert.match(
                msg,
                /registry: neither TCR API credentials nor an existing token: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY/,
            );
            assert.match(msg, /registry\.secretId \+ registry\.secretKey/);
            assert.match(msg, /registry\.username \+ registry\.token \+ registry\.server/);
        });

        it("a SecretId without its SecretKey", async () => {
            assert.match(
                await rejected({ ...valid(), secretKey: undefined }),
                /registry\.secretKey: the API SecretKey \(it goes with registry\.secretId\) is required/,
            );
        });

        it("a missing or malformed region when the component calls the API", async () => {
            assert.match(
                await rejected({ ...valid(), region: undefined }),
                /registry\.region: is required: the region of the instance, e\.g\. `ap-guangzhou`/,
            );
            assert.match(
                await rejected({ ...valid(), region: "Guangzhou" }),
                /registry\.region: "Guangzhou" is not a Tencent Cloud region/,
            );
        });

        it("a plain-HTTP API endpoint that is not a loopback test server", async () => {
            assert.match(
                await rejected({ ...valid(), apiEndpoint: "http://tcr.tencentcloudapi.com" }),
                /registry\.apiEndpoint: "http:\/\/tcr\.tencentcloudapi\.com" is plain HTTP/,
            );
        });

        it("an existing token without its user name or server, or with API credentials", async () => {
            const base = { type: "tcr", instanceId: INSTANCE, namespace: "dify-plugins" };
            assert.match(
                await rejected({ ...base, token: "t", server: "acme.tencentcloudcr.com" }),
                /registry\.username: with registry\.token, the user name it belongs to/,
            );
            assert.match(
                await rejected({ ...base, username: "u", server: "acme.tencentcloudcr.com" }),
                /registry\.token: with registry\.username, the existing long-term access token/,
            );
            assert.match(
                await rejected({ ...base, username: "u", token: "t" }),
                /registry\.server: is required with an existing token \(no API call looks it up\)/,
            );
            assert.match(
                await rejected({ ...base, username: "u", token: "t", server: "acme.tencentcloudcr.com", secretKey: "k" }),
                /registry\.secretKey: is only for a token the component creates; remove it, or remove registry\.username and registry\.token/,
            );
        });

        it("reports every problem at once", async () => {
            const msg = await rejected({ type: "tcr", namespace: "Bad", region: "x" });
            for (const key of ["registry.instanceId", "registry.namespace", "registry.region", "registry"]) {
                assert.ok(msg.includes(`  - ${key}: `), `${key} is reported`);
            }
        });

        it("an Output-valued namespace that resolves invalid fails before any child or API call", async () => {
            const { error, resources } = await evaluateFailingLater(
                () => new DifyPluginRegistry("bad", managed({ namespace: pulumi.output("Not_Valid") })),
            );
            assert.match(error.message, /registry\.namespace: "Not_Valid" is not a TCR namespace/);
            assert.deepEqual(
                resources.map((r) => r.type),
                ["dify:index:PluginRegistry"],
            );
            assert.deepEqual(tcr.api.calls, []);
        });
    });
});
