import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

import { OPTIONAL_PEERS } from "../components/registries";

const ROOT = path.resolve(__dirname, "..");

// A program that composes the component for a Docker registry, in a process where the cloud SDKs cannot be loaded.
const PROGRAM = `
const Module = require("node:module");
const blocked = ["@pulumi/aws", "@pulumi/azure-native", "@pulumi/azuread", "@pulumi/alicloud", "tencentcloud-sdk-nodejs"];
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
    if (blocked.some((b) => request === b || request.startsWith(b + "/"))) {
        // What Node throws for a package that is not installed.
        throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: "MODULE_NOT_FOUND" });
    }
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
            "pulumi-nodejs:dynamic:Resource",
            "kubernetes:helm.sh/v4:Chart",
        ]);
    });

    for (const [type, registry, packages] of [
        ["ecr", `{ type: "ecr", region: "us-east-1", prefix: "dify" }`, "@pulumi/aws (^7.0.0)"],
        [
            "acr",
            `{ type: "acr", prefix: "dify", credential: { issuedOn: "2026-11-01" } }`,
            "@pulumi/azure-native (^3.0.0) and @pulumi/azuread (^6.0.0)",
        ],
        [
            "aliyun",
            `{ type: "aliyun", edition: "personal", region: "cn-shanghai", namespace: "n", username: "u", password: "p" }`,
            "@pulumi/alicloud (^3.0.0)",
        ],
        ["tcr", `{ type: "tcr", instanceId: "tcr-1", namespace: "n" }`, "tencentcloud-sdk-nodejs (^4.1.0)"],
    ] as const) {
        it(`registry.type ${type} without its SDK: an error naming registry.type, the package and the range, no require stack`, function () {
            this.timeout(60_000);
            const program = PROGRAM.replace(
                `registry: { type: "docker", server: "harbor.example.com", prefix: "dify", username: "u", password: pulumi.secret("p") }`,
                `registry: ${registry}`,
            )
                .replace("new DifyPluginRegistry(", "try { new DifyPluginRegistry(")
                .replace(
                    "settle().then(",
                    "} catch (e) { console.log(JSON.stringify({ message: e.message, errors: e.errors })); process.exit(3); }\nsettle().then(",
                );
            const run = spawnSync(process.execPath, ["--import", "tsx", "-e", program], { cwd: ROOT, encoding: "utf8" });
            assert.equal(run.status, 3, run.stderr);
            const { message, errors } = JSON.parse(run.stdout.trim().split("\n").pop()!);
            const reason = `registry.type "${type}" needs ${packages}, an optional peer dependency that is not installed: npm install `;
            assert.ok(message.includes(reason), message);
            assert.equal(errors[0].propertyPath, "registry.type");
            assert.ok(!message.includes("Require stack"), message);
        });
    }

    it("the ranges named are the ones package.json declares", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
            peerDependencies: Record<string, string>;
            peerDependenciesMeta: Record<string, { optional?: boolean }>;
        };
        const named = Object.assign({}, ...Object.values(OPTIONAL_PEERS)) as Record<string, string>;
        const optional = Object.fromEntries(
            Object.entries(pkg.peerDependencies).filter(([name]) => pkg.peerDependenciesMeta[name]?.optional),
        );
        assert.deepEqual(named, optional);
    });
});
