// pushCheck under the shared mocks: the RegistryPushCheck child for the default kinds with its exact inputs, what it
// waits for and what waits for it, off where the deployer holds no login, never calling a registry in a preview — and,
// with the dynamic provider run for real (as the engine runs it, after Pulumi's closure serialization) against the
// loopback registries, a login that cannot push fails the deployment with the prefix named and no chart registered.
import * as assert from "node:assert/strict";
import * as net from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry, DifyPluginRegistryArgs } from "../components";
import { parseStackConfig, toComponentArgs } from "../program/config";
import { registryPushCheckProvider } from "../components/resources/pushCheck/provider";
import { WORKLOAD_IDENTITY_REASON } from "../components/pushCheckArgs";
import { ACCESS_KEY_ID, ACCOUNT, answerAws, SECRET_ACCESS_KEY } from "./support/awsAnswers";
import { type CheckRegistries, LOGINS, registryContents, startCheckRegistries } from "./support/checkRegistries";
import { DYNAMIC_TYPE, runDynamicProviders } from "./support/dynamicProviders";
import { withEcr } from "./support/ecr";
import { evaluate, evaluateFailingLater, thrownBy } from "./support/evaluate";
import { dependenciesOf, isSecretValue, RecordedResource, stopAnswering, unwrapSecrets, useMocks } from "./support/mocks";
import { dockerConfigOf } from "./support/recorded";
import { INSTALL_HINT, registryAvailable } from "./support/registry";

const PARENT = "dify:index:PluginRegistry::dify";
const CHECK = `${DYNAMIC_TYPE}::dify-push-check`;

const docker = (over: Record<string, unknown> = {}, extra: Partial<DifyPluginRegistryArgs> = {}): DifyPluginRegistryArgs => ({
    registry: {
        type: "docker",
        server: "harbor.example.com",
        prefix: "dify/plugins",
        username: "robot$dify",
        password: pulumi.secret("Sentinel-check-pw"),
        ...over,
    } as DifyPluginRegistryArgs["registry"],
    chart: { version: "3.9.1" },
    ...extra,
});

const checkOf = (resources: readonly RecordedResource[]) => resources.find((r) => r.type === DYNAMIC_TYPE && r.name === "dify-push-check");

/** The check's inputs without the serialized provider, secrets still wrapped. */
function inputsOf(resources: readonly RecordedResource[]): Record<string, unknown> {
    const check = checkOf(resources);
    assert.ok(check, `no push check among ${resources.map((r) => r.name).join(", ")}`);
    assert.equal(check.parent, PARENT);
    const { __provider, ...inputs } = check.inputs;
    assert.match(String(__provider), /^exports\.handler = /);
    return inputs;
}

describe("pushCheck: the registry push check in the component", () => {
    describe("registered by default, with exact inputs", () => {
        it("docker: the prefix, image-repo-secret's login (secret-wrapped), the insecure flag; no settling for a login you bring", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", docker()));
            const inputs = inputsOf(resources);
            assert.deepEqual(Object.keys(inputs).sort(), ["auth", "insecure", "prefix", "settleMs"]);
            assert.equal(inputs.prefix, "harbor.example.com/dify/plugins");
            assert.equal(inputs.insecure, false);
            assert.equal(inputs.settleMs, 0);
            assert.ok(isSecretValue(inputs.auth), "the login is secret-wrapped");
            // Exactly the login kaniko gets.
            assert.deepEqual(JSON.parse(String(unwrapSecrets(inputs.auth))), dockerConfigOf(resources));
        });

        it("waits for image-repo-secret; the chart waits for it", async () => {
            await evaluate(() => new DifyPluginRegistry("dify", docker()));
            assert.ok(dependenciesOf(DYNAMIC_TYPE, "dify-push-check").includes("kubernetes:core/v1:Secret::dify-image-repo-secret"));
            assert.ok(dependenciesOf("kubernetes:helm.sh/v4:Chart", "dify-dify").includes(CHECK));
        });

        it("a plain-HTTP registry is checked over plain HTTP; pushCheck.caFile is passed on", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry(
                        "dify",
                        docker({ server: "10.0.0.5:5000", insecure: true }, { pushCheck: { caFile: "/etc/ca.pem" } }),
                    ),
            );
            const { auth: _auth, ...rest } = inputsOf(resources);
            assert.deepEqual(rest, { prefix: "10.0.0.5:5000/dify/plugins", insecure: true, caFile: "/etc/ca.pem", settleMs: 0 });
        });

        it("dockerhub: docker.io/<namespace>, with the Docker Hub login", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        registry: { type: "dockerhub", namespace: "acme", username: "acme-ci", token: pulumi.secret("dckr_pat_Sentinel") },
                        chart: { version: "3.9.1" },
                    }),
            );
            const inputs = inputsOf(resources);
            assert.equal(inputs.prefix, "docker.io/acme");
            assert.deepEqual(JSON.parse(String(unwrapSecrets(inputs.auth))), {
                auths: { "https://index.docker.io/v1/": { auth: Buffer.from("acme-ci:dckr_pat_Sentinel").toString("base64") } },
            });
        });

        it("tcr with an existing login: the instance's prefix, settling 60 s", async () => {
            const resources = await evaluate(
                () =>
                    new DifyPluginRegistry("dify", {
                        registry: {
                            type: "tcr",
                            instanceId: "tcr-abc12345",
                            namespace: "dify-plugins",
                            server: "acme.tencentcloudcr.com",
                            username: "100012345678",
                            token: pulumi.secret("tcr-Sentinel-token"),
                        },
                        chart: { version: "3.9.1" },
                    }),
            );
            const { auth, ...rest } = inputsOf(resources);
            assert.deepEqual(rest, { prefix: "acme.tencentcloudcr.com/dify-plugins", insecure: false, settleMs: 60_000 });
            assert.ok(isSecretValue(auth));
        });

        describe("ecr", () => {
            before(() => answerAws());
            after(() => {
                for (const t of ["aws:iam/accessKey:AccessKey", "aws:iam/role:Role", "aws:iam/user:User"]) stopAnswering(t);
            });

            it("accessKey: the push user's key (secret-wrapped) instead of a docker config, waiting for the user's policy", async () => {
                const resources = await evaluate(
                    () =>
                        new DifyPluginRegistry(
                            "dify",
                            withEcr({ region: "us-east-1", prefix: "dify/plugins", accountId: ACCOUNT, auth: { mode: "accessKey" } }),
                        ),
                );
                const { ecr, ...rest } = inputsOf(resources);
                assert.deepEqual(rest, {
                    prefix: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/dify/plugins`,
                    insecure: false,
                    settleMs: 60_000,
                });
                assert.ok(isSecretValue(ecr), "the key is secret-wrapped");
                assert.deepEqual(unwrapSecrets(ecr), {
                    region: "us-east-1",
                    accessKeyId: ACCESS_KEY_ID,
                    secretAccessKey: SECRET_ACCESS_KEY,
                });
                assert.ok(dependenciesOf(DYNAMIC_TYPE, "dify-push-check").includes("aws:iam/userPolicy:UserPolicy::dify-ecr-push"));
                assert.ok(dependenciesOf("kubernetes:helm.sh/v4:Chart", "dify-dify").includes(CHECK));
            });

            it("irsa: off by default (the deployer holds no login of the build role); pushCheck: true is refused with the reason", async () => {
                const irsa = withEcr({
                    region: "us-east-1",
                    prefix: "dify/plugins",
                    accountId: ACCOUNT,
                    auth: { mode: "irsa", oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE" },
                });
                assert.equal(checkOf(await evaluate(() => new DifyPluginRegistry("dify", irsa))), undefined);
                const err = thrownBy(() => new DifyPluginRegistry("dify", { ...irsa, pushCheck: true }));
                assert.match(err.message, /pushCheck: ECR with auth.mode irsa has no login to check/);
                assert.ok(err.message.includes(WORKLOAD_IDENTITY_REASON));
                // With a login given, it is checked.
                const given = JSON.stringify({ auths: { [`${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`]: { auth: "QVdTOng=" } } });
                const resources = await evaluate(
                    () => new DifyPluginRegistry("dify", { ...irsa, pushCheck: { auth: pulumi.secret(given) } }),
                );
                assert.equal(unwrapSecrets(inputsOf(resources).auth), given);
            });
        });
    });

    describe("off, and bad settings", () => {
        it("pushCheck: false registers nothing and the chart waits for no check", async () => {
            const resources = await evaluate(() => new DifyPluginRegistry("dify", docker({}, { pushCheck: false })));
            assert.equal(checkOf(resources), undefined);
            assert.ok(!dependenciesOf("kubernetes:helm.sh/v4:Chart", "dify-dify").includes(CHECK));
        });

        for (const [what, value, expected] of [
            ["not a boolean or object", "yes", /pushCheck: expected boolean, received string/],
            ["an unknown setting", { cafile: "/x" }, /pushCheck\.cafile: unknown key; did you mean `caFile`\? \(valid: auth, caFile\)/],
            ["an empty caFile", { caFile: " " }, /pushCheck\.caFile: must be the path of a PEM file/],
            [
                "an auth that is not docker config JSON (not echoed)",
                { auth: "Sentinel-not-json" },
                /pushCheck\.auth: must be docker config JSON/,
            ],
        ] as const) {
            it(`${what}: refused by name before anything is registered`, async () => {
                const resources = await evaluate(() => {
                    const err = thrownBy(() => new DifyPluginRegistry("dify", docker({}, { pushCheck: value as never })));
                    assert.match(err.message, expected);
                    assert.ok(!err.message.includes("Sentinel-not-json"));
                });
                assert.deepEqual(resources, []);
            });
        }
    });

    it("stack config: pushCheck false, or { auth, caFile } with auth wrapped secret; unknown keys refused", async () => {
        const base = {
            registry: { type: "docker", server: "harbor.example.com", prefix: "dify", username: "u", password: "p" },
            chart: { version: "3.9.1" },
        };
        assert.equal(toComponentArgs(parseStackConfig({ ...base, pushCheck: false })).pushCheck, false);
        assert.equal(toComponentArgs(parseStackConfig(base)).pushCheck, undefined);
        const given = JSON.stringify({ auths: { "harbor.example.com": { auth: "dTpw" } } });
        const pushCheck = toComponentArgs(parseStackConfig({ ...base, pushCheck: { auth: given, caFile: "/ca.pem" } })).pushCheck as {
            auth: pulumi.Input<string>;
            caFile: string;
        };
        assert.equal(pushCheck.caFile, "/ca.pem");
        assert.ok(await pulumi.isSecret(pulumi.output(pushCheck.auth)));
        assert.throws(() => parseStackConfig({ ...base, pushCheck: { ca: "/x" } }), /dify-plugin-registry:pushCheck\.ca: unknown key/);
    });

    describe("previews call no registry", () => {
        let server: net.Server;
        let port: number;
        let connections = 0;
        before(async () => {
            server = net.createServer((socket) => {
                connections++;
                socket.destroy();
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            port = (server.address() as net.AddressInfo).port;
        });
        after(() => new Promise((resolve) => server.close(resolve)));

        it("in a preview the check is registered like any resource (the engine runs create/update only in an update)", async () => {
            useMocks({ preview: true });
            try {
                const resources = await evaluate(
                    () => new DifyPluginRegistry("dify", docker({ server: `127.0.0.1:${port}`, insecure: true })),
                );
                assert.ok(checkOf(resources));
                assert.equal(connections, 0);
            } finally {
                useMocks();
            }
        });

        it("check and diff, which previews run, open no connection; an unknown prefix passes check and diffs as a change", async () => {
            const auth = JSON.stringify({ auths: { [`127.0.0.1:${port}`]: { auth: Buffer.from("u:p").toString("base64") } } });
            const news = { prefix: `127.0.0.1:${port}/dify`, auth, insecure: true };
            assert.deepEqual((await registryPushCheckProvider.check!({} as never, news)).failures, []);
            const olds = { prefix: news.prefix, insecure: true, loginHash: "0".repeat(64), salt: "00".repeat(16), steps: [], warnings: [] };
            assert.equal((await registryPushCheckProvider.diff!("id", olds, news)).changes, true);
            const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
            assert.deepEqual((await registryPushCheckProvider.check!({} as never, { ...news, prefix: unknown })).failures, []);
            assert.equal((await registryPushCheckProvider.diff!("id", olds, { ...news, prefix: unknown })).changes, true);
            assert.equal(connections, 0);
        });
    });

    describe("live: the dynamic provider run for real (serialized) against loopback registries", function () {
        this.timeout(180_000);
        let fx: CheckRegistries;
        let dynamic: ReturnType<typeof runDynamicProviders>;
        before(async () => {
            assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
            fx = await startCheckRegistries();
        });
        beforeEach(() => {
            dynamic = runDynamicProviders();
        });
        afterEach(() => dynamic.stop());
        after(() => fx?.stop());

        const basicArgs = (password: string): DifyPluginRegistryArgs =>
            docker(
                { server: fx.basic.host, username: LOGINS.basic.username, password: pulumi.secret(password) },
                { pushCheck: { caFile: fx.basic.caFile! } },
            );

        it("the right login (TLS + htpasswd, CA from pushCheck.caFile): the check passes and the chart is registered", async () => {
            const before = await registryContents(fx.basic, LOGINS.basic);
            const resources = await evaluate(() => new DifyPluginRegistry("dify", basicArgs(LOGINS.basic.password)));
            assert.ok(resources.some((r) => r.type === "kubernetes:helm.sh/v4:Chart"));
            const created = dynamic.created.find((c) => c.name === "dify-push-check")!;
            assert.deepEqual(
                (created.outs.steps as string[]).map((s) => s.split(/\s+/).slice(0, 2).join(" ")),
                ["ok registry", "ok login", "ok push", "ok pull"],
            );
            assert.equal(created.outs.prefix, `${fx.basic.host}/dify/plugins`);
            const state = JSON.stringify(created.outs);
            assert.ok(
                !state.includes(LOGINS.basic.password) &&
                    !state.includes(Buffer.from(`${LOGINS.basic.username}:${LOGINS.basic.password}`).toString("base64")),
            );
            assert.deepEqual(await registryContents(fx.basic, LOGINS.basic), before);
        });

        it("a wrong password fails the deployment naming the prefix and the step; the chart is not registered", async () => {
            const { error, resources } = await evaluateFailingLater(
                () => new DifyPluginRegistry("dify", basicArgs("wrong-Sentinel")),
                20_000,
            );
            assert.match(
                error.message,
                new RegExp(`registry push check of ${fx.basic.host}/dify/plugins failed at step "login": login rejected`),
            );
            assert.ok(!error.message.includes("wrong-Sentinel"));
            assert.ok(!resources.some((r) => r.type === "kubernetes:helm.sh/v4:Chart"), "the chart waits for the check");
        });

        it("token auth: a pull-only login fails with push not allowed on the prefix; the push login passes", async () => {
            const tokenArgs = (login: { username: string; password: string }) =>
                docker({
                    server: fx.tokenRegistry.host,
                    insecure: true,
                    username: login.username,
                    password: pulumi.secret(login.password),
                });
            const before = await registryContents(fx.tokenRegistry, LOGINS.admin);
            const { error } = await evaluateFailingLater(() => new DifyPluginRegistry("dify", tokenArgs(LOGINS.puller)), 20_000);
            const prefix = `${fx.tokenRegistry.host}/dify/plugins`;
            assert.match(error.message, new RegExp(`failed at step "push": push not allowed on ${prefix}: the login of "puller"`));
            dynamic.stop();
            dynamic = runDynamicProviders();
            const resources = await evaluate(() => new DifyPluginRegistry("dify", tokenArgs(LOGINS.pusher)));
            assert.ok(resources.some((r) => r.type === "kubernetes:helm.sh/v4:Chart"));
            assert.deepEqual(await registryContents(fx.tokenRegistry, LOGINS.admin), before);
        });
    });
});
