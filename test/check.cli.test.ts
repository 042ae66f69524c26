// `dify-plugin-registry check` as a child process (node --import tsx cli/main.ts), against real registries on loopback:
// TLS + htpasswd (Basic) and token auth with a pull-only and a push login. After every run the registry's catalog and
// tags are what they were.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type CheckRegistries, LOGINS, registryContents, startCheckRegistries } from "./support/checkRegistries";
import { INSTALL_HINT, registryAvailable } from "./support/registry";
import { runCli } from "./support/cli";

const cli = runCli;

/** The status word of each step line, in order. */
const stepsOf = (stdout: string) =>
    stdout
        .split("\n")
        .map((line) => /^(ok|failed|skipped)\s+(registry|login|push|pull)\s/.exec(line))
        .filter((m) => m !== null)
        .map((m) => `${m![2]}:${m![1]}`);

describe("check CLI: usage errors exit 2 before anything is sent", function () {
    this.timeout(30_000);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "check-cli-home-"));
    after(() => fs.rmSync(home, { recursive: true, force: true }));

    for (const [what, args, message] of [
        ["no --prefix", ["check"], /--prefix <host\[:port\]\/path> is required/],
        ["a scheme in the prefix", ["check", "--prefix", "https://harbor.example.com/dify"], /has a scheme/],
        ["an uppercase path", ["check", "--prefix", "harbor.example.com/Dify"], /path component "Dify"/],
        ["an unknown option", ["check", "--prefix", "h.example.com/x", "--bogus"], /Unknown option '--bogus'/],
        [
            "a missing CA file",
            ["check", "--prefix", "h.example.com/x", "--ca-file", "/nonexistent/ca.pem"],
            /--ca-file \/nonexistent\/ca\.pem: \/nonexistent\/ca\.pem does not exist/,
        ],
        ["a CA file with no path", ["check", "--prefix", "h.example.com/x", "--ca-file", "h.example.com="], /no file after "="/],
        [
            "a missing auth file",
            ["check", "--prefix", "h.example.com/x", "--auth-file", "/nonexistent/config.json"],
            /--auth-file \/nonexistent\/config\.json: \/nonexistent\/config\.json does not exist/,
        ],
    ] as const) {
        it(`${what}`, async () => {
            const run = await cli(args, home);
            assert.equal(run.code, 2, run.stderr);
            assert.match(run.stderr, message);
            assert.match(run.stderr, /Run with --help for usage/);
            assert.equal(run.stdout, "");
        });
    }

    it("a docker config that is not JSON is a usage error too", async () => {
        const file = path.join(home, "broken.json");
        fs.writeFileSync(file, "{not json");
        const run = await cli(["check", "--prefix", "h.example.com/x", "--auth-file", file], home);
        assert.equal(run.code, 2);
        assert.match(run.stderr, /is not JSON/);
    });

    it("--help prints the usage and exits 0; the top-level help lists the command", async () => {
        const run = await cli(["check", "--help"], home);
        assert.equal(run.code, 0);
        assert.match(run.stdout, /^Usage: dify-plugin-registry check --prefix/);
        assert.match((await cli(["--help"], home)).stdout, /check {4}prove a registry prefix takes plugin images/);
    });
});

describe("live: check CLI against real registries", function () {
    this.timeout(180_000);
    let fx: CheckRegistries;
    let home: string;
    let basicBefore: Record<string, string[]>;
    let tokenBefore: Record<string, string[]>;

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        fx = await startCheckRegistries();
        home = fs.mkdtempSync(path.join(os.tmpdir(), "check-cli-home-"));
        basicBefore = await registryContents(fx.basic, LOGINS.basic);
        tokenBefore = await registryContents(fx.tokenRegistry, LOGINS.admin);
        assert.deepEqual(basicBefore, { "dify/existing": ["v1"] });
        assert.deepEqual(tokenBefore, { "dify/existing": ["v1"] });
    });

    afterEach(async () => {
        // Whatever a check did, it left no repository, tag or blob behind.
        assert.deepEqual(await registryContents(fx.basic, LOGINS.basic), basicBefore);
        assert.deepEqual(await registryContents(fx.tokenRegistry, LOGINS.admin), tokenBefore);
    });

    after(async () => {
        await fx?.stop();
        if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    describe("Basic auth over TLS (htpasswd)", () => {
        it("the right login passes every step: exit 0, one line per step", async () => {
            const prefix = `${fx.basic.host}/dify/plugins`;
            const auth = fx.authFile(fx.basic.host, LOGINS.basic);
            const run = await cli(["check", "--prefix", prefix, "--auth-file", auth, "--ca-file", fx.basic.caFile!], home);
            assert.equal(run.code, 0, run.stdout + run.stderr);
            assert.deepEqual(stepsOf(run.stdout), ["registry:ok", "login:ok", "push:ok", "pull:ok"]);
            assert.match(run.stdout, /answers as a registry over HTTPS and asks for a Basic login/);
            assert.match(run.stdout, /the login of "dify-push" is accepted \(Basic\)/);
            assert.match(run.stdout, /an upload in dify\/plugins\/dify-plugin-registry-check was opened and cancelled/);
            assert.match(run.stdout, new RegExp(`registry push check of ${prefix} passed`));
            assert.equal(run.stderr, "");
            assert.ok(!(run.stdout + run.stderr).includes(LOGINS.basic.password));
        });

        it("a wrong password: exit 1, the login step failed and the message says the login was rejected", async () => {
            const auth = fx.authFile(fx.basic.host, { username: LOGINS.basic.username, password: "wrong-Sentinel" });
            const run = await cli(
                ["check", "--prefix", `${fx.basic.host}/dify/plugins`, "--auth-file", auth, "--ca-file", fx.basic.caFile!],
                home,
            );
            assert.equal(run.code, 1);
            assert.deepEqual(stepsOf(run.stdout), ["registry:ok", "login:failed", "push:skipped", "pull:skipped"]);
            assert.match(run.stderr, /failed at step "login": login rejected: .*rejected the login of "dify-push" \(HTTP 401\)/);
            assert.match(run.stderr, new RegExp(`in ${auth.replace(/[.]/g, "\\.")}`));
            assert.ok(!(run.stdout + run.stderr).includes("wrong-Sentinel"));
        });

        it("HOST=FILE names the registry of the CA; the default docker config is read from $DOCKER_CONFIG", async () => {
            const dockerDir = path.join(home, "docker-env");
            fs.mkdirSync(dockerDir, { recursive: true });
            fs.copyFileSync(fx.authFile(fx.basic.host, LOGINS.basic), path.join(dockerDir, "config.json"));
            const run = await cli(
                ["check", "--prefix", `${fx.basic.host}/dify`, "--ca-file", `${fx.basic.host}=${fx.basic.caFile}`],
                home,
                {
                    DOCKER_CONFIG: dockerDir,
                },
            );
            assert.equal(run.code, 0, run.stdout + run.stderr);
            assert.match(run.stdout, new RegExp(`login from ${path.join(dockerDir, "config.json").replace(/[.]/g, "\\.")}`));
        });

        it("without the CA: exit 1 at the registry step, certificate not trusted, naming --ca-file", async () => {
            const auth = fx.authFile(fx.basic.host, LOGINS.basic);
            const run = await cli(["check", "--prefix", `${fx.basic.host}/dify`, "--auth-file", auth], home);
            assert.equal(run.code, 1);
            assert.deepEqual(stepsOf(run.stdout), ["registry:failed", "login:skipped", "push:skipped", "pull:skipped"]);
            // One clear line: the registry, Node's reason, the option — not the transport's message nested inside.
            assert.equal(
                run.stderr,
                `registry push check of ${fx.basic.host}/dify failed at step "registry": certificate not trusted: ${fx.basic.host}'s ` +
                    `TLS certificate does not verify (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate); give the CA that signed it ` +
                    `with --ca-file ${fx.basic.host}=<CA PEM file>\n`,
            );
        });

        it("--insecure against a TLS registry: exit 1, the registry speaks HTTPS", async () => {
            const run = await cli(["check", "--prefix", `${fx.basic.host}/dify`, "--insecure"], home);
            assert.equal(run.code, 1);
            assert.match(run.stderr, /the registry speaks HTTPS; drop --insecure/);
        });

        it("no login for the registry: exit 1, login required", async () => {
            const run = await cli(["check", "--prefix", `${fx.basic.host}/dify`, "--ca-file", fx.basic.caFile!], home);
            assert.equal(run.code, 1);
            assert.match(run.stdout, /no docker config: anonymous/);
            assert.match(run.stderr, /failed at step "login": login required: .* asks for a login/);
        });
    });

    describe("token auth (a token server of our own)", () => {
        it("the pull-only login fails the push step: push not allowed on the prefix", async () => {
            const prefix = `${fx.tokenRegistry.host}/dify/plugins`;
            const auth = fx.authFile(fx.tokenRegistry.host, LOGINS.puller);
            const run = await cli(["check", "--prefix", prefix, "--auth-file", auth, "--insecure"], home);
            assert.equal(run.code, 1, run.stdout + run.stderr);
            assert.deepEqual(stepsOf(run.stdout), ["registry:ok", "login:ok", "push:failed", "pull:skipped"]);
            assert.match(run.stdout, /asks for a Bearer token from http:\/\/127\.0\.0\.1:\d+\/token/);
            assert.match(run.stderr, new RegExp(`failed at step "push": push not allowed on ${prefix}: the login of "puller"`));
            assert.match(run.stderr, /insufficient_scope/);
        });

        it("a read-only login whose token service refuses the push scope (Docker Hub today): push not allowed, not login rejected", async () => {
            const prefix = `${fx.tokenRegistry.host}/dify/plugins`;
            const auth = fx.authFile(fx.tokenRegistry.host, LOGINS.reader);
            const run = await cli(["check", "--prefix", prefix, "--auth-file", auth, "--insecure"], home);
            assert.equal(run.code, 1, run.stdout + run.stderr);
            assert.deepEqual(stepsOf(run.stdout), ["registry:ok", "login:ok", "push:failed", "pull:skipped"]);
            assert.match(run.stderr, new RegExp(`failed at step "push": push not allowed on ${prefix}: the login of "reader"`));
            assert.match(
                run.stderr,
                /the token service .* refused a token for repository:dify\/plugins\/dify-plugin-registry-check:pull,push/,
            );
            assert.doesNotMatch(run.stderr, /check the username and password/);
        });

        it("the push login passes every step (it may not cancel the upload: a warning, not a failure)", async () => {
            const auth = fx.authFile(fx.tokenRegistry.host, LOGINS.pusher);
            const run = await cli(["check", "--prefix", `${fx.tokenRegistry.host}/dify/plugins`, "--auth-file", auth, "--insecure"], home);
            assert.equal(run.code, 0, run.stdout + run.stderr);
            assert.deepEqual(stepsOf(run.stdout), ["registry:ok", "login:ok", "push:ok", "pull:ok"]);
            // distribution authorizes DELETE of an upload as the `delete` action, which this login lacks.
            assert.match(run.stdout, /warning: the login may not cancel the probe upload .*cancelling needs the delete right/);
            const asked = fx.tokens.requests.filter((r) => r.user === "pusher").flatMap((r) => r.scopes);
            assert.ok(asked.includes("repository:dify/plugins/dify-plugin-registry-check:pull,push"), asked.join(" "));
        });

        it("a wrong password is rejected by the token service: login rejected", async () => {
            const auth = fx.authFile(fx.tokenRegistry.host, { username: "pusher", password: "nope" });
            const run = await cli(["check", "--prefix", `${fx.tokenRegistry.host}/dify`, "--auth-file", auth, "--insecure"], home);
            assert.equal(run.code, 1);
            assert.match(run.stderr, /login rejected: .*the token service http:\/\/127\.0\.0\.1:\d+\/token rejected the login of "pusher"/);
        });

        it("TLS against the plain-HTTP registry: exit 1, naming --insecure", async () => {
            const run = await cli(["check", "--prefix", `${fx.tokenRegistry.host}/dify`], home);
            assert.equal(run.code, 1);
            assert.match(run.stderr, /does not speak TLS .*use --insecure/);
        });
    });

    it("an unreachable registry: exit 1 at the registry step", async () => {
        const run = await cli(["check", "--prefix", "127.0.0.1:1/dify", "--insecure"], home);
        assert.equal(run.code, 1);
        assert.match(run.stderr, /failed at step "registry": registry unreachable: 127\.0\.0\.1:1 .*ECONNREFUSED/);
    });
});
