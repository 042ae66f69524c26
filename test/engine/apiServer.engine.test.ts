// Proves the real API server harness: etcd + kube-apiserver (+ kube-controller-manager) from scripts/engine-tools.sh.
import * as assert from "node:assert/strict";
import { apiServerAvailable, ENGINE_TOOLS_HINT, startApiServer, type RunningApiServer } from "../support/apiServer";

describe("engine: real Kubernetes API server harness", function () {
    this.timeout(180_000);
    let api: RunningApiServer | undefined;

    before(async () => {
        // Fail loudly rather than skip: a skipped engine test hides a broken environment.
        assert.ok(apiServerAvailable(), `etcd/kube-apiserver/kubectl/openssl missing; ${ENGINE_TOOLS_HINT}`);
        api = await startApiServer();
    });

    after(async () => {
        await api?.stop();
    });

    it("serves the version it was built as, on loopback", async () => {
        const version = JSON.parse(await api!.kubectl(["version", "-o", "json"])) as { serverVersion: { gitVersion: string } };
        assert.match(version.serverVersion.gitVersion, /^v1\.\d+\.\d+$/);
        assert.match(api!.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    });

    it("creates a namespace and a kubernetes.io/dockerconfigjson Secret, and reads it back", async () => {
        const k = api!.kubectl;
        await k(["create", "namespace", "dify"]);
        const dockerconfig = { auths: { "127.0.0.1:5000": { username: "u", password: "p", auth: Buffer.from("u:p").toString("base64") } } };
        const secret = {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "image-repo-secret", namespace: "dify" },
            type: "kubernetes.io/dockerconfigjson",
            data: { ".dockerconfigjson": Buffer.from(JSON.stringify(dockerconfig)).toString("base64") },
        };
        await k(["apply", "-f", "-"], { input: JSON.stringify(secret) });
        const got = JSON.parse(await k(["get", "secret", "image-repo-secret", "-n", "dify", "-o", "json"])) as {
            type: string;
            data: Record<string, string>;
        };
        assert.equal(got.type, "kubernetes.io/dockerconfigjson");
        assert.deepEqual(JSON.parse(Buffer.from(got.data[".dockerconfigjson"], "base64").toString()), dockerconfig);
    });

    it("validates a dockerconfigjson Secret's payload like a real cluster", async () => {
        const bad = {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "bad", namespace: "dify" },
            type: "kubernetes.io/dockerconfigjson",
            data: { other: Buffer.from("{}").toString("base64") },
        };
        await assert.rejects(api!.kubectl(["apply", "-f", "-"], { input: JSON.stringify(bad) }), /\.dockerconfigjson/);
    });

    it("creates ServiceAccounts, ConfigMaps and Deployments (nothing schedules their pods)", async () => {
        const k = api!.kubectl;
        await k(["create", "serviceaccount", "plugin-daemon", "-n", "dify"]);
        await k(["create", "configmap", "settings", "-n", "dify", "--from-literal=a=b"]);
        await k(["create", "deployment", "web", "-n", "dify", "--image=127.0.0.1:5000/web:1"]);
        const names = (await k(["get", "serviceaccounts,configmaps,deployments", "-n", "dify", "-o", "name"])).split("\n");
        for (const n of ["serviceaccount/plugin-daemon", "configmap/settings", "deployment.apps/web"]) {
            assert.ok(names.includes(n), `${n} not in ${names.join(", ")}`);
        }
    });

    it("deletes a namespace with its contents when the controller manager runs", async function () {
        if (!api!.controllerManager) this.skip();
        await api!.kubectl(["delete", "namespace", "dify", "--wait=true", "--timeout=90s"]);
        await assert.rejects(api!.kubectl(["get", "namespace", "dify"]), /NotFound|not found/);
    });
});
