import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { registered, resetRecorded, settle, unwrapSecrets } from "./support/mocks";
import { DifyPluginRegistry } from "../components";

describe("probe", () => {
    beforeEach(resetRecorded);
    it("registers", async () => {
        const c = new DifyPluginRegistry("dify", {
            registry: { type: "docker", server: "harbor.example.com", prefix: "dify-plugins", username: "robot", password: pulumi.secret("s3cret") },
            chart: { version: "3.7.4" },
        });
        await settle();
        for (const r of registered()) console.log(JSON.stringify(r, null, 1).slice(0, 3000));
        assert.ok(c);
        console.log(unwrapSecrets(1));
    });
});
