// Acceptance: the image-repo-secret the REAL component writes (evaluated under mocks) lets skopeo push to a real
// docker-registry, over TLS + htpasswd and over plain HTTP + htpasswd; a wrong password is rejected.
import * as assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistry } from "../components";
import type { DockerRegistryArgs } from "../components";
import { isSecretValue, only, resetRecorded, settle, unwrapSecrets } from "./support/mocks";
import { writeOciLayout } from "./support/ociLayout";
import { INSTALL_HINT, registryAvailable, startRegistry, type RunningRegistry } from "./support/registry";
import { skopeoCopy, skopeoInspectRaw } from "./support/skopeo";

const SECRET_TYPE = "kubernetes:core/v1:Secret";
const CHART_TYPE = "kubernetes:helm.sh/v4:Chart";
const USER = "dify";
const PREFIX = "dify-plugins";

const digestOf = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const fromBase64 = (value: unknown, key: string): string => {
    assert.equal(typeof value, "string", `Secret data["${key}"] must be a base64 string, got ${JSON.stringify(value)}`);
    return Buffer.from(value as string, "base64").toString("utf8");
};

interface Evaluated {
    /** Decoded `config.json` of the recorded Secret. */
    readonly configJson: string;
    /** Temp file holding exactly that config.json, for `skopeo --authfile`. */
    readonly authFile: string;
    /** Inputs of the recorded Helm chart, secrets unwrapped. */
    readonly chartInputs: Record<string, any>;
}

// "live" (lowercase) in the title: `npm run test:unit` is `mocha --grep live --invert`, and mocha's grep is case-sensitive.
describe("live: Live test against a real registry", function () {
    this.timeout(120_000);

    let work: string;
    let layout: string;
    let manifestDigest: string;
    let password: string;
    let tls: RunningRegistry | undefined;
    let http: RunningRegistry | undefined;

    before(async () => {
        // Fail, never skip: a skipped live test hides a broken environment.
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        password = randomBytes(18).toString("base64url");
        work = fs.mkdtempSync(path.join(os.tmpdir(), "live-registry-"));
        layout = path.join(work, "layout");
        ({ manifestDigest } = await writeOciLayout(layout, "v1", {
            layers: [
                { files: { "app/manifest.yaml": "name: test-plugin\nversion: 0.0.1\n" } },
                { files: { "app/main.py": "print('hello from a dify plugin')\n" } },
            ],
        }));
        // docker-registry 2.8 accepts htpasswd auth without TLS (it only warns in its docs), so both registries require a login.
        [tls, http] = await Promise.all([
            startRegistry({ tls: true, auth: { username: USER, password } }),
            startRegistry({ auth: { username: USER, password } }),
        ]);
    });

    after(async () => {
        await Promise.all([tls?.stop(), http?.stop()]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    beforeEach(resetRecorded);

    /** Evaluates the real component, checks its Secret, and writes the Secret's config.json to a temp auth file. */
    async function evaluate(name: string, registry: Omit<DockerRegistryArgs, "type" | "prefix">): Promise<Evaluated> {
        new DifyPluginRegistry(name, {
            registry: { type: "docker", prefix: PREFIX, ...registry },
            chart: { version: "3.7.4" },
        });
        await settle();

        const secret = only(SECRET_TYPE, `${name}-image-repo-secret`);
        assert.equal(secret.inputs.type, "kubernetes.io/dockerconfigjson");
        assert.ok(isSecretValue(secret.inputs.data), `Secret data must be secret-wrapped, got ${JSON.stringify(secret.inputs.data)}`);
        const data = unwrapSecrets(secret.inputs.data) as Record<string, unknown>;
        assert.deepEqual(Object.keys(data).sort(), [".dockerconfigjson", "config.json"]);
        const configJson = fromBase64(data["config.json"], "config.json");
        const dockerConfigJson = fromBase64(data[".dockerconfigjson"], ".dockerconfigjson");
        assert.equal(configJson, dockerConfigJson, "config.json and .dockerconfigjson must be the same document");

        const authFile = path.join(work, `${name}.config.json`);
        fs.writeFileSync(authFile, configJson, { mode: 0o600 });

        const chart = only(CHART_TYPE, `${name}-dify`);
        return { configJson, authFile, chartInputs: unwrapSecrets(chart.inputs) as Record<string, any> };
    }

    it("pushes to a TLS + htpasswd registry with the Secret's config.json", async () => {
        const reg = tls!;
        const { configJson, authFile, chartInputs } = await evaluate("live-tls", {
            server: reg.host,
            username: USER,
            password: pulumi.secret(password),
        });

        // The auths key must be exactly the host skopeo/kaniko look up, with base64(user:password).
        assert.deepEqual(JSON.parse(configJson), {
            auths: { [reg.host]: { auth: Buffer.from(`${USER}:${password}`).toString("base64") } },
        });
        assert.equal(chartInputs.values.plugin_connector.imageRepoPrefix, `${reg.host}/${PREFIX}`);
        assert.equal(chartInputs.values.plugin_connector.insecureImageRepo, false);

        const dest = `docker://${reg.host}/${PREFIX}/test-plugin:1`;
        const res = await skopeoCopy({ src: `oci:${layout}:v1`, dest, authFile, destCertDir: reg.certDir });
        assert.ok(res.ok, `skopeo copy failed (${res.code}): ${res.stderr}`);
        const raw = await skopeoInspectRaw(dest, { authFile, certDir: reg.certDir });
        assert.equal(digestOf(raw), manifestDigest);
    });

    it("is rejected by the TLS registry when the component gets a wrong password", async () => {
        const reg = tls!;
        const { authFile } = await evaluate("live-tls-wrong", {
            server: reg.host,
            username: USER,
            password: pulumi.secret(`${password}-wrong`),
        });

        const dest = `docker://${reg.host}/${PREFIX}/test-plugin:wrong`;
        const res = await skopeoCopy({ src: `oci:${layout}:v1`, dest, authFile, destCertDir: reg.certDir });
        assert.equal(res.ok, false, "push with a wrong password must fail");
        assert.notEqual(res.code, 0);
        assert.match(res.stderr, /unauthorized/);

        // Nothing landed under that tag (checked with the right login).
        const good = path.join(work, "tls-good.json");
        fs.writeFileSync(good, JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${USER}:${password}`).toString("base64") } } }));
        await assert.rejects(skopeoInspectRaw(dest, { authFile: good, certDir: reg.certDir }), /manifest unknown|not found/i);
    });

    it("pushes to a plain-HTTP + htpasswd registry with insecure: true", async () => {
        const reg = http!;
        assert.match(reg.url, /^http:\/\//);
        const { authFile, chartInputs } = await evaluate("live-http", {
            server: reg.host,
            username: USER,
            password: pulumi.secret(password),
            insecure: true,
        });

        const connector = chartInputs.values.plugin_connector;
        assert.equal(connector.insecureImageRepo, true);
        assert.equal(connector.imageRepoPrefix, `${reg.host}/${PREFIX}`);
        assert.equal(connector.imageRepoSecret, "image-repo-secret");

        // The registry really enforces auth: an empty auth file (no fallback to ~/.docker) is refused.
        const empty = path.join(work, "empty-auth.json");
        fs.writeFileSync(empty, JSON.stringify({ auths: {} }));
        const anonymous = await skopeoCopy({
            src: `oci:${layout}:v1`,
            dest: `docker://${reg.host}/${PREFIX}/test-plugin:anon`,
            authFile: empty,
            destTlsVerify: false,
        });
        assert.equal(anonymous.ok, false, "anonymous push to the plain-HTTP registry must fail");
        assert.match(anonymous.stderr, /unauthorized/);

        const dest = `docker://${reg.host}/${PREFIX}/test-plugin:1`;
        const res = await skopeoCopy({ src: `oci:${layout}:v1`, dest, authFile, destTlsVerify: false });
        assert.ok(res.ok, `skopeo copy failed (${res.code}): ${res.stderr}`);
        const raw = await skopeoInspectRaw(dest, { authFile, tlsVerify: false });
        assert.equal(digestOf(raw), manifestDigest);
    });
});
