// Security properties of the OCI client (issue 17, items 3–5), against registry doubles on 127.0.0.1
// (test/support/registryDouble.ts), through the mirror (`mirrorImages`, `RegistryClient`) and the push check
// (`checkRegistry`):
// - credentials (Basic and Bearer) go only to the registry's own origin: an upload Location or blob redirect on another
//   origin gets no Authorization header, and a TLS registry's plain-HTTP Location is refused unless marked insecure;
// - a token realm over plain HTTP is refused for a TLS registry unless its host is marked insecure;
// - every small answer (head, manifest, token) has a total deadline besides the idle timeout.
import * as assert from "node:assert/strict";
import { HttpTransport, mirrorImages, PlainHttpRefusedError, RegistryClient, type MirrorOptions } from "../engines/oci";
import { checkRegistry } from "../engines/pushCheck";
import {
    dockerAuth,
    memoryImage,
    selfSignedCertificate,
    startDrippingTokenService,
    startForeignListener,
    startRegistryDouble,
    startTokenDouble,
    type DoubleAuth,
    type ForeignListener,
    type MemoryImage,
    type RegistryDouble,
    type TestCertificate,
    type TokenDouble,
} from "./support/registryDouble";

const LOGIN = { username: "robot", password: "Sentinel-pw-4711" } as const;
const ONE_TRY = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 };

/** Stops every server a test started, whatever happened. */
function servers() {
    const running: { stop(): Promise<void> }[] = [];
    return {
        add<T extends { stop(): Promise<void> }>(server: T): T {
            running.push(server);
            return server;
        },
        stopAll: () => Promise.all(running.splice(0).map((s) => s.stop())),
    };
}

/** Fails after `ms` instead of waiting on: without a deadline the client would wait for the whole drip. */
async function within<T>(ms: number, what: string, pending: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms — no deadline held`)), ms);
    });
    try {
        return await Promise.race([pending, late]);
    } finally {
        clearTimeout(timer);
    }
}

const insecure = (...hosts: string[]): NonNullable<MirrorOptions["registries"]> =>
    Object.fromEntries(hosts.map((h) => [h, { insecure: true }]));

describe("OCI client security (issue 17)", function () {
    this.timeout(60_000);
    const run = servers();
    let image: MemoryImage;
    let certificate: TestCertificate;

    before(() => {
        image = memoryImage();
        certificate = selfSignedCertificate();
    });
    after(() => certificate?.remove());
    afterEach(() => run.stopAll());

    /** An anonymous plain-HTTP source holding `app/img:v1`. */
    const startSource = async () => run.add(await startRegistryDouble({ auth: { scheme: "none" }, images: { "app/img:v1": image } }));

    /** Basic, or Bearer with a token double of its own (started here). */
    async function authOf(scheme: "basic" | "bearer"): Promise<{ auth: DoubleAuth; tokens?: TokenDouble }> {
        if (scheme === "basic") return { auth: { scheme: "basic", ...LOGIN } };
        const tokens = run.add(await startTokenDouble(LOGIN));
        return { auth: { scheme: "bearer", realm: tokens.realm, tokens: tokens.tokens }, tokens };
    }

    function assertNoCredentials(listener: ForeignListener, methods: readonly string[]): void {
        const seen = listener.requests.map((r) => r.method);
        for (const method of methods)
            assert.ok(seen.includes(method), `the foreign origin never saw a ${method}: ${JSON.stringify(listener.requests)}`);
        const leaked = listener.requests.filter((r) => r.authorization !== undefined);
        assert.deepEqual(leaked, [], "a credential reached another origin");
    }

    describe("credentials go only to the registry's own origin", () => {
        for (const scheme of ["basic", "bearer"] as const) {
            it(`${scheme}: a mirror copy uploads to a foreign Location without Authorization, and completes`, async () => {
                const source = await startSource();
                const listener = run.add(await startForeignListener());
                const { auth } = await authOf(scheme);
                const target = run.add(
                    await startRegistryDouble({ auth, uploadLocation: () => `${listener.origin}/upload/${Date.now()}` }),
                );
                const report = await mirrorImages([{ source: `${source.host}/app/img:v1`, target: `${target.host}/mirror/img:v1` }], {
                    auth: dockerAuth(target.host, LOGIN),
                    registries: insecure(source.host, target.host),
                });
                assert.ok(report.ok, String(report.results[0].error));
                assertNoCredentials(listener, ["PATCH", "PUT"]);
                assert.deepEqual([...listener.received.keys()].sort(), [...image.blobs.keys()].sort(), "every blob was uploaded there");
                // The registry itself did get the credential: the test is not passing for want of one.
                assert.ok(
                    target.requests.some(
                        (r) => r.method === "POST" && r.authorization?.startsWith(scheme === "basic" ? "Basic " : "Bearer "),
                    ),
                    JSON.stringify(target.requests),
                );
                assert.deepEqual(target.pushed.get("mirror/img:v1"), image.manifest);
            });

            it(`${scheme}: the push check cancels its probe upload at a foreign Location without Authorization`, async () => {
                const listener = run.add(await startForeignListener());
                const { auth } = await authOf(scheme);
                const registry = run.add(await startRegistryDouble({ auth, uploadLocation: () => `${listener.origin}/upload/probe` }));
                const report = await checkRegistry({
                    prefix: `${registry.host}/dify`,
                    auth: dockerAuth(registry.host, LOGIN),
                    connection: { insecure: true },
                });
                assert.ok(report.ok, JSON.stringify(report.steps));
                assertNoCredentials(listener, ["DELETE"]);
                assert.ok(registry.requests.some((r) => r.method === "POST" && r.authorization !== undefined));
            });
        }

        it("a foreign origin that answers 401 learns nothing: no credential to it, none to the realm it names", async () => {
            const source = await startSource();
            const realm = run.add(await startTokenDouble(LOGIN)); // the realm the foreign origin names
            const listener = run.add(await startForeignListener({ challenge: () => `Bearer realm="${realm.realm}",service="evil"` }));
            const target = run.add(
                await startRegistryDouble({ auth: { scheme: "basic", ...LOGIN }, uploadLocation: () => `${listener.origin}/upload/x` }),
            );
            const report = await mirrorImages([{ source: `${source.host}/app/img:v1`, target: `${target.host}/mirror/img:v1` }], {
                auth: dockerAuth(target.host, LOGIN),
                registries: insecure(source.host, target.host),
                retry: ONE_TRY,
            });
            const error = report.results[0].error;
            assert.match(
                String(error),
                new RegExp(`${listener.origin.replace(/\./g, "\\.")} \\(named by ${target.host}\\) asks for a login \\(HTTP 401\\)`),
            );
            assertNoCredentials(listener, ["PATCH"]);
            assert.deepEqual(realm.requests, [], "the login went to a realm a foreign origin named");
        });

        it("a blob GET redirected to storage on another origin is followed without Authorization", async () => {
            const storage = run.add(await startForeignListener({ blobs: image.blobs }));
            const source = run.add(
                await startRegistryDouble({
                    auth: { scheme: "basic", ...LOGIN },
                    images: { "app/img:v1": image },
                    blobRedirect: (digest) => `${storage.origin}/blobs/${digest}?X-Amz-Signature=abc`,
                }),
            );
            const target = run.add(await startRegistryDouble({ auth: { scheme: "none" } }));
            const report = await mirrorImages([{ source: `${source.host}/app/img:v1`, target: `${target.host}/copy/img:v1` }], {
                auth: dockerAuth(source.host, LOGIN),
                registries: insecure(source.host, target.host),
            });
            assert.ok(report.ok, String(report.results[0].error));
            assertNoCredentials(storage, ["GET"]);
            assert.equal(storage.requests.length, image.blobs.size);
        });

        it("a TLS registry's plain-HTTP upload Location is refused (mirror and check), and followed without Authorization when its host is marked insecure", async () => {
            const source = await startSource();
            const listener = run.add(await startForeignListener());
            const registry = run.add(
                await startRegistryDouble({
                    auth: { scheme: "basic", ...LOGIN },
                    tls: certificate,
                    uploadLocation: () => `${listener.origin}/upload/${Date.now()}`,
                }),
            );
            const plan = [{ source: `${source.host}/app/img:v1`, target: `${registry.host}/mirror/img:v1` }];
            const options: MirrorOptions = {
                auth: dockerAuth(registry.host, LOGIN),
                registries: { ...insecure(source.host), [registry.host]: { caFile: certificate.caFile } },
            };
            const refused = await mirrorImages(plan, options);
            const error = refused.results[0].error;
            assert.ok(error instanceof PlainHttpRefusedError, `expected a refusal, got ${error} (${refused.results[0].status})`);
            assert.match(
                error.message,
                new RegExp(
                    `^${registry.host} is spoken to over HTTPS, but its upload location ${listener.origin}/upload/\\d+ is plain HTTP: refused`,
                ),
            );
            const check = await checkRegistry({
                prefix: `${registry.host}/dify`,
                auth: dockerAuth(registry.host, LOGIN),
                connection: { caFile: certificate.caFile },
            });
            assert.equal(check.failed?.step, "push", JSON.stringify(check.steps));
            assert.equal(check.failed?.reason, "plain-http-refused");
            assert.match(check.failed!.detail, new RegExp(`upload location ${listener.origin}/upload/\\d+ is plain HTTP`));
            assert.deepEqual(listener.requests, [], "nothing may be sent to the plain-HTTP location");

            const allowed = await mirrorImages(plan, { ...options, registries: { ...options.registries, ...insecure(listener.host) } });
            assert.ok(allowed.ok, String(allowed.results[0].error));
            assertNoCredentials(listener, ["PATCH", "PUT"]);
        });
    });

    describe("a token realm over plain HTTP, for a TLS registry", () => {
        async function start(): Promise<{ registry: RegistryDouble; tokens: TokenDouble; source: RegistryDouble }> {
            const tokens = run.add(await startTokenDouble(LOGIN));
            const registry = run.add(
                await startRegistryDouble({
                    auth: { scheme: "bearer", realm: tokens.realm, tokens: tokens.tokens },
                    tls: certificate,
                    images: { "app/img:v1": image },
                }),
            );
            const source = await startSource();
            return { registry, tokens, source };
        }

        it("is refused with a message naming the realm and the registry; the token service is never asked", async () => {
            const { registry, tokens, source } = await start();
            const check = await checkRegistry({
                prefix: `${registry.host}/dify`,
                auth: dockerAuth(registry.host, LOGIN),
                connection: { caFile: certificate.caFile },
            });
            assert.equal(check.failed?.step, "login", JSON.stringify(check.steps));
            assert.equal(check.failed?.reason, "plain-http-refused");
            assert.equal(
                check.failed?.detail,
                `${registry.host} is spoken to over HTTPS, but its token service (realm) ${tokens.realm} is plain HTTP: refused, so that ` +
                    `the login of "${LOGIN.username}" does not travel in clear text; if ${tokens.host} really serves only plain HTTP, mark "${tokens.host}" insecure`,
            );
            // The mirror, both ways: pulling from and pushing to the TLS registry.
            const report = await mirrorImages(
                [
                    { source: `${registry.host}/app/img:v1`, target: `${source.host}/from-tls/img:v1` },
                    { source: `${source.host}/app/img:v1`, target: `${registry.host}/to-tls/img:v1` },
                ],
                {
                    auth: dockerAuth(registry.host, LOGIN),
                    registries: { ...insecure(source.host), [registry.host]: { caFile: certificate.caFile } },
                },
            );
            for (const result of report.results) {
                assert.ok(result.error instanceof PlainHttpRefusedError, `expected a refusal, got ${result.error} (${result.status})`);
                assert.ok(result.error.message.includes(`its token service (realm) ${tokens.realm} is plain HTTP`), result.error.message);
            }
            assert.deepEqual(tokens.requests, [], "the login was sent over plain HTTP");
        });

        it("is allowed when the realm's host is marked insecure", async () => {
            const { registry, tokens, source } = await start();
            const check = await checkRegistry({
                prefix: `${registry.host}/dify`,
                auth: dockerAuth(registry.host, LOGIN),
                connection: { caFile: certificate.caFile },
                otherConnections: { [tokens.host]: { insecure: true } },
            });
            assert.ok(check.ok, JSON.stringify(check.steps));
            const report = await mirrorImages([{ source: `${registry.host}/app/img:v1`, target: `${source.host}/from-tls/img:v1` }], {
                auth: dockerAuth(registry.host, LOGIN),
                registries: { ...insecure(source.host, tokens.host), [registry.host]: { caFile: certificate.caFile } },
            });
            assert.ok(report.ok, String(report.results[0].error));
            assert.ok(tokens.requests.length > 0 && tokens.requests.every((r) => r.authorization?.startsWith("Basic ")));
        });
    });

    describe("a total deadline on every small answer", () => {
        const DEADLINE = 1000;
        const BOUND = 5000;

        async function timed<T>(pending: Promise<T>): Promise<{ value?: T; error?: Error; elapsed: number }> {
            const started = Date.now();
            try {
                const value = await within(10_000, "the dripping answer", pending);
                return { value, elapsed: Date.now() - started };
            } catch (error) {
                return { error: error as Error, elapsed: Date.now() - started };
            }
        }

        it("a manifest sent one byte every 100 ms fails after about the deadline, naming it; a fast one works", async () => {
            const registry = run.add(
                await startRegistryDouble({
                    auth: { scheme: "none" },
                    images: { "slow/img:v1": image, "app/img:v1": image },
                    drip: { repositories: ["slow/img"], intervalMs: 100 },
                }),
            );
            const transport = new HttpTransport({ connections: insecure(registry.host), deadlineMs: DEADLINE });
            try {
                const client = new RegistryClient(registry.host, registry.host, { transport, retry: ONE_TRY });
                const slow = await timed(client.getManifest("slow/img", "v1"));
                assert.ok(slow.error, "the dripped manifest was accepted");
                assert.match(
                    slow.error.message,
                    new RegExp(
                        `GET ${registry.host}/v2/slow/img/manifests/v1: the answer was not complete within the ${DEADLINE} ms deadline`,
                    ),
                );
                assert.ok(slow.elapsed >= DEADLINE - 100 && slow.elapsed < BOUND, `failed after ${slow.elapsed} ms`);
                const fast = await timed(client.getManifest("app/img", "v1"));
                assert.equal(fast.error, undefined);
                assert.equal(fast.value?.digest, image.digest);
            } finally {
                transport.close();
            }
            // The same through mirrorImages (deadlineMs passed to its transport).
            const target = run.add(await startRegistryDouble({ auth: { scheme: "none" } }));
            const mirrored = await timed(
                mirrorImages([{ source: `${registry.host}/slow/img:v1`, target: `${target.host}/copy/img:v1` }], {
                    registries: insecure(registry.host, target.host),
                    deadlineMs: DEADLINE,
                    retry: ONE_TRY,
                }),
            );
            assert.match(String(mirrored.value?.results[0].error), /the answer was not complete within the 1000 ms deadline/);
            assert.ok(mirrored.elapsed < BOUND, `failed after ${mirrored.elapsed} ms`);
        });

        it("a token answer sent one byte every 100 ms (its head too) fails after about the deadline; a fast one works", async () => {
            const dripping = run.add(await startDrippingTokenService(100));
            const registry = run.add(
                await startRegistryDouble({
                    auth: { scheme: "bearer", realm: dripping.realm, tokens: new Set() },
                    images: { "app/img:v1": image },
                }),
            );
            const transport = new HttpTransport({ connections: insecure(registry.host), deadlineMs: DEADLINE });
            try {
                const client = new RegistryClient(registry.host, registry.host, { transport, credentials: LOGIN, retry: ONE_TRY });
                const slow = await timed(client.getManifest("app/img", "v1"));
                assert.ok(slow.error, "the dripped token was accepted");
                assert.match(
                    slow.error.message,
                    new RegExp(`GET ${dripping.host}/token: the answer was not complete within the ${DEADLINE} ms deadline`),
                );
                assert.ok(slow.elapsed >= DEADLINE - 100 && slow.elapsed < BOUND, `failed after ${slow.elapsed} ms`);
                assert.equal(dripping.requests.length, 1);
            } finally {
                transport.close();
            }
            // The push check: the login step fails within the bound too (its one retry included).
            const check = await timed(
                checkRegistry({
                    prefix: `${registry.host}/dify`,
                    auth: dockerAuth(registry.host, LOGIN),
                    connection: { insecure: true },
                    deadlineMs: DEADLINE,
                }),
            );
            assert.equal(check.value?.failed?.step, "login", JSON.stringify(check.value?.steps));
            assert.match(check.value!.failed!.detail, /the answer was not complete within the 1000 ms deadline/);
            assert.ok(check.elapsed < BOUND, `failed after ${check.elapsed} ms`);

            // A token service that answers at once, under the same deadline.
            const tokens = run.add(await startTokenDouble(LOGIN));
            const good = run.add(
                await startRegistryDouble({
                    auth: { scheme: "bearer", realm: tokens.realm, tokens: tokens.tokens },
                    images: { "app/img:v1": image },
                }),
            );
            const fastTransport = new HttpTransport({ connections: insecure(good.host), deadlineMs: DEADLINE });
            try {
                const client = new RegistryClient(good.host, good.host, { transport: fastTransport, credentials: LOGIN, retry: ONE_TRY });
                assert.equal((await client.getManifest("app/img", "v1")).digest, image.digest);
            } finally {
                fastTransport.close();
            }
        });
    });
});
