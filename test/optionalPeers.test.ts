import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

// A program that composes the component for a Docker registry, in a process where the cloud SDKs cannot be loaded.
const PROGRAM = `
const Module = require("node:module");
const blocked = ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/azuread", "@pulumi/alicloud", "tencentcloud-sdk-nodejs"];
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
    if (blocked.some((b) => request === b || request.startsWith(b + "/"))) throw new Error("blocked optional peer " + request);
    return resolve.call(this, request, ...rest);
};
const { installRecordingMocks, registered, settle } = require("./program/offline/recorder");
installRecordingMocks("p", "s");
const pulumi = require("@pulumi/pulumi");
const { DifyPluginRegistry } = require("./components");
new DifyPluginRegistry("dify", {
    registry: { type: "docker", server: "harbor.example.com", prefix: "dify", username: "u", password: pulumi.secret("p") },
    chart: { version: "3.9.1" },
});
settle().then(() => { console.log(JSON.stringify(registered().map((r) => r.type))); process.exit(0); });
`;

describe("optional peer dependencies", () => {
    it("a Docker registry needs no cloud SDK: the component loads and registers without any of them", function () {
        this.timeout(60_000);
        const run = spawnSync(process.execPath, ["--import", "tsx", "-e", PROGRAM], { cwd: ROOT, encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout.trim().split("\n").pop()!), [
            "dify:index:PluginRegistry",
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:Secret",
            "kubernetes:helm.sh/v4:Chart",
        ]);
    });

    it("an ECR registry without @pulumi/aws fails with the module's name", function () {
        this.timeout(60_000);
        const program = PROGRAM.replace(
            `registry: { type: "docker", server: "harbor.example.com", prefix: "dify", username: "u", password: pulumi.secret("p") }`,
            `registry: { type: "ecr", region: "us-east-1", prefix: "dify" }`,
        );
        const run = spawnSync(process.execPath, ["--import", "tsx", "-e", program], { cwd: ROOT, encoding: "utf8" });
        assert.notEqual(run.status, 0);
        assert.match(run.stderr, /blocked optional peer @pulumi\/aws/);
    });
});
