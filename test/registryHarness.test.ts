// Proves the real-registry harness: docker-registry + skopeo + locally built OCI layouts.
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeOciIndexLayout, writeOciLayout } from "./support/ociLayout";
import { INSTALL_HINT, registryAvailable, startRegistry, type RunningRegistry } from "./support/registry";
import { skopeoCopy, skopeoInspectRaw } from "./support/skopeo";

const digestOf = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

function writeAuthFile(dir: string, host: string, username: string, password: string): string {
    const file = path.join(dir, `auth-${username}-${password}.json`);
    const auth = Buffer.from(`${username}:${password}`).toString("base64");
    fs.writeFileSync(file, JSON.stringify({ auths: { [host]: { auth } } }));
    return file;
}

describe("live: real registry harness", () => {
    let secure: RunningRegistry | undefined;
    let plain: RunningRegistry | undefined;
    let work: string;
    let layout: string;
    let manifestDigest: string;

    before(async () => {
        // Fail loudly rather than skip: a skipped registry test hides a broken environment.
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "harness-"));
        layout = path.join(work, "layout");
        ({ manifestDigest } = await writeOciLayout(layout, "v1", {
            layers: [
                { files: { "etc/hello.txt": "hello\n" } },
                { files: { "app/data.bin": Buffer.alloc(4096, 7), "app/README": "second layer\n" } },
            ],
        }));
        [secure, plain] = await Promise.all([startRegistry({ tls: true, auth: { username: "user", password: "pass" } }), startRegistry()]);
    });

    after(async () => {
        await Promise.all([secure?.stop(), plain?.stop()]);
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("copies to a TLS + htpasswd registry with the right credentials", async () => {
        const reg = secure!;
        assert.match(reg.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        assert.ok(reg.certDir && fs.existsSync(path.join(reg.certDir, "ca.crt")));
        const authFile = writeAuthFile(work, reg.host, "user", "pass");
        const dest = `docker://${reg.host}/test/img:1`;
        const res = await skopeoCopy({ src: `oci:${layout}:v1`, dest, authFile, destCertDir: reg.certDir });
        assert.ok(res.ok, `skopeo copy failed (${res.code}): ${res.stderr}`);
        const raw = await skopeoInspectRaw(dest, { authFile, certDir: reg.certDir });
        assert.equal(digestOf(raw), manifestDigest);
    });

    it("rejects a wrong password without prompting", async () => {
        const reg = secure!;
        const authFile = writeAuthFile(work, reg.host, "user", "wrong");
        const res = await skopeoCopy({
            src: `oci:${layout}:v1`,
            dest: `docker://${reg.host}/test/img:bad`,
            authFile,
            destCertDir: reg.certDir,
        });
        assert.equal(res.ok, false);
        assert.notEqual(res.code, 0);
        assert.match(res.stderr, /unauthorized|401/i);
    });

    it("copies to a plain HTTP registry with --dest-tls-verify=false", async () => {
        const reg = plain!;
        assert.match(reg.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(reg.certDir, undefined);
        const dest = `docker://${reg.host}/test/img:1`;
        const res = await skopeoCopy({ src: `oci:${layout}:v1`, dest, destTlsVerify: false });
        assert.ok(res.ok, `skopeo copy failed (${res.code}): ${res.stderr}`);
        const raw = await skopeoInspectRaw(dest, { tlsVerify: false });
        assert.equal(digestOf(raw), manifestDigest);
    });

    it("copies a two-platform index with --all and keeps its digest", async () => {
        const reg = plain!;
        const dir = path.join(work, "multi");
        const index = await writeOciIndexLayout(dir, "multi", [
            { architecture: "amd64", os: "linux", layers: [{ files: { "arch.txt": "amd64\n" } }] },
            { architecture: "arm64", os: "linux", layers: [{ files: { "arch.txt": "arm64\n" } }] },
        ]);
        const dest = `docker://${reg.host}/test/multi:1`;
        const res = await skopeoCopy({ src: `oci:${dir}:multi`, dest, destTlsVerify: false, all: true });
        assert.ok(res.ok, `skopeo copy failed (${res.code}): ${res.stderr}`);
        const raw = await skopeoInspectRaw(dest, { tlsVerify: false });
        assert.equal(digestOf(raw), index.manifestDigest);
        const parsed = JSON.parse(raw.toString("utf8")) as { manifests: { digest: string; platform: { architecture: string } }[] };
        assert.deepEqual(
            parsed.manifests.map((m) => m.platform.architecture),
            ["amd64", "arm64"],
        );
        assert.deepEqual(
            parsed.manifests.map((m) => m.digest),
            index.platformDigests,
        );
    });

    it("keeps its storage across restart()", async () => {
        const reg = plain!;
        await reg.restart();
        const raw = await skopeoInspectRaw(`docker://${reg.host}/test/img:1`, { tlsVerify: false });
        assert.equal(digestOf(raw), manifestDigest);
    });
});
