// The Bearer token flow against a real docker-registry configured for token auth: a loopback token service checks the
// Basic login and signs JWTs (RS256, x5c) that the registry itself verifies, scopes included. A recording proxy in
// front of the registry shows how many requests needed a challenge.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AuthenticationError, mirrorImages, type MirrorOptions } from "../engines/oci";
import { startHttpProxy, type RunningProxy } from "./support/proxies";
import { INSTALL_HINT, registryAvailable, startRegistry, type RunningRegistry } from "./support/registry";
import { skopeoInspectRaw } from "./support/skopeo";
import { startTokenServer, type TokenServer } from "./support/tokenServer";
import { digestOf, pushLayout, skopeoDigest, twoPlatformIndex, writeAuthFile } from "./support/testImages";

const USER = "bearer-user";
const PASSWORD = "bearer-pass";

describe("live: mirror with the Bearer token flow", function () {
    this.timeout(180_000);
    let work: string;
    let plain: RunningRegistry | undefined;
    let tokens: TokenServer | undefined;
    let tokenRegistry: RunningRegistry | undefined;
    let proxy: RunningProxy | undefined;
    let authFile: string;
    let index: { indexDigest: string; platformDigests: string[] };
    let options: MirrorOptions;

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-bearer-"));
        tokens = await startTokenServer({ username: USER, password: PASSWORD, anonymousPull: true });
        [plain, tokenRegistry] = await Promise.all([startRegistry(), startRegistry({ token: tokens })]);
        proxy = await startHttpProxy(tokenRegistry.host);
        index = await twoPlatformIndex(path.join(work, "index"), "v1", "bearer");
        await pushLayout(path.join(work, "index"), "v1", plain, "app/index");
        authFile = writeAuthFile(work, proxy.host, USER, PASSWORD);
        options = { auth: authFile, registries: { [plain.host]: { insecure: true }, [proxy.host]: { insecure: true } } };
    });

    after(async () => {
        await proxy?.stop();
        await Promise.all([plain?.stop(), tokenRegistry?.stop(), tokens?.stop()]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("live: pushes with tokens from the realm (service and scope), cached: one challenge for the whole run", async () => {
        const to = `${proxy!.host}/mirror/app/index:v1`;
        const report = await mirrorImages([{ source: `${plain!.host}/app/index:v1`, target: to }], options);
        assert.ok(report.ok, String(report.results[0].error));
        assert.equal(report.results[0].digest, index.indexDigest);
        const seen = [...proxy!.requests]; // before skopeo adds its own

        const granted = tokens!.requests.filter((r) => r.status === 200);
        assert.ok(granted.length > 0 && granted.every((r) => r.user === USER), JSON.stringify(tokens!.requests));
        assert.ok(
            granted.some((r) => r.scopes.includes("repository:mirror/app/index:pull,push")),
            JSON.stringify(granted),
        );
        const challenged = seen.filter((r) => r.status === 401);
        assert.deepEqual(challenged, [{ method: "GET", path: "/v2/", status: 401 }]); // the ping only
        assert.ok(seen.length >= 3 * granted.length, `${seen.length} requests, ${granted.length} tokens`);
        assert.equal(await skopeoDigest(to, tokenRegistry!, authFile), index.indexDigest);
    });

    it("live: a cross-repository mount asks for pull on the source repository, and the registry mounts", async () => {
        tokens!.requests.length = 0;
        const report = await mirrorImages(
            [{ source: `${proxy!.host}/mirror/app/index:v1`, target: `${proxy!.host}/copy/index:v1` }],
            options,
        );
        const [r] = report.results;
        assert.equal(r.status, "copied", String(r.error));
        assert.deepEqual(r.blobs, { copied: 0, mounted: 5, skipped: 1 }); // 2 configs + 3 distinct layers; the shared layer once
        const mountToken = tokens!.requests.find(
            (t) => t.scopes.includes("repository:copy/index:pull,push") && t.scopes.includes("repository:mirror/app/index:pull"),
        );
        assert.ok(mountToken, JSON.stringify(tokens!.requests));
        assert.equal(await skopeoDigest(`${proxy!.host}/copy/index:v1`, tokenRegistry!, authFile), index.indexDigest);
    });

    it("live: pulls anonymously from a token registry", async () => {
        tokens!.requests.length = 0;
        const to = `${plain!.host}/from-token/index:v1`;
        const report = await mirrorImages([{ source: `${proxy!.host}/mirror/app/index:v1`, target: to }], { ...options, auth: undefined });
        assert.equal(report.results[0].status, "copied", String(report.results[0].error));
        assert.ok(tokens!.requests.length > 0 && tokens!.requests.every((t) => t.user === undefined && t.status === 200));
        assert.equal(digestOf(await skopeoInspectRaw(`docker://${to}`, { tlsVerify: false })), index.indexDigest);
    });

    it("live: a wrong password is refused by the token service with a clear error, and nothing is tagged", async () => {
        const wrong = writeAuthFile(work, proxy!.host, USER, "wrong");
        const to = `${proxy!.host}/denied/index:v1`;
        const report = await mirrorImages([{ source: `${plain!.host}/app/index:v1`, target: to }], { ...options, auth: wrong });
        const error = report.results[0].error;
        assert.ok(error instanceof AuthenticationError, String(error));
        assert.match(
            error.message,
            new RegExp(`the token service http://127\\.0\\.0\\.1:\\d+/token rejected the login of "${USER}" \\(HTTP 401\\)`),
        );
        await assert.rejects(skopeoInspectRaw(`docker://${to}`, { tlsVerify: false, authFile }), /manifest unknown|not found|denied/i);
    });
});
