// The push check's pure parts: prefix parsing, the pushCheck argument per registry kind, the SigV4 signer (held against
// AWS's published Signature Version 4 test suite), and the command line parser.
import * as assert from "node:assert/strict";
import { CheckUsageError, parseCheckArgs } from "../cli/checkCommand";
import { parseCheckPrefix, prefixProblem } from "../engines/pushCheck/check";
import { ecrApiEndpoint, signV4 } from "../engines/pushCheck/ecrLogin";
import { planPushCheck } from "../components/pushCheckArgs";

describe("push check: pure parts", () => {
    describe("prefix", () => {
        it("splits host[:port]/path, with the probe repository under the path", () => {
            assert.deepEqual(parseCheckPrefix("harbor.example.com/dify/plugins"), {
                registry: "harbor.example.com",
                host: "harbor.example.com",
                path: "dify/plugins",
                repository: "dify/plugins/dify-plugin-registry-check",
            });
            assert.deepEqual(parseCheckPrefix("127.0.0.1:5000"), {
                registry: "127.0.0.1:5000",
                host: "127.0.0.1:5000",
                path: "",
                repository: "dify-plugin-registry-check",
            });
        });

        it("Docker Hub is docker.io for the login and registry-1.docker.io for the API", () => {
            for (const given of ["docker.io/acme", "index.docker.io/acme"]) {
                const target = parseCheckPrefix(given);
                assert.equal(target.registry, "docker.io");
                assert.equal(target.host, "registry-1.docker.io");
                assert.equal(target.repository, "acme/dify-plugin-registry-check");
            }
        });

        for (const [bad, reason] of [
            ["", /is required/],
            ["https://harbor.example.com/x", /has a scheme/],
            ["harbor.example.com/Dify", /path component "Dify"/],
            ["harbor.example.com/dify/", /path component ""/],
            ["harbor.example.com:99999/x", /is not a registry host/],
            ["harbor.example.com/x:tag", /path component "x:tag"/],
        ] as const) {
            it(`refuses ${JSON.stringify(bad)}`, () => {
                assert.match(prefixProblem(bad) ?? "", reason);
                assert.throws(() => parseCheckPrefix(bad), reason);
            });
        }
    });

    describe("pushCheck per registry kind", () => {
        const problems = () => {
            const list: string[] = [];
            return { list, add: (path: string, reason: string) => list.push(`${path}: ${reason}`) };
        };

        it("on by default where the deployer holds the login, with settling for logins the component creates", () => {
            for (const [type, settleMs] of [
                ["docker", 0],
                ["dockerhub", 0],
                ["acr", 300_000],
                ["aliyun", 60_000],
                ["tcr", 60_000],
            ] as const) {
                const p = problems();
                assert.deepEqual(planPushCheck(undefined, { type }, p), { settleMs }, type);
                assert.deepEqual(p.list, []);
            }
            assert.deepEqual(planPushCheck(undefined, { type: "ecr", auth: { mode: "accessKey" } }, problems()), { settleMs: 60_000 });
        });

        it("off by default for ECR irsa and podIdentity; true is refused with the reason; a given login is checked at once", () => {
            for (const mode of [undefined, "irsa", "podIdentity"]) {
                const registry = { type: "ecr", auth: mode === undefined ? undefined : { mode } };
                assert.equal(planPushCheck(undefined, registry, problems()), undefined);
                const p = problems();
                assert.equal(planPushCheck(true, registry, p), undefined);
                assert.match(
                    p.list[0],
                    new RegExp(`^pushCheck: ECR with auth.mode ${mode ?? "irsa"} has no login to check: build pods push`),
                );
                assert.deepEqual(planPushCheck({ auth: '{"auths":{}}' }, registry, problems()), { auth: '{"auths":{}}', settleMs: 0 });
            }
        });

        it("false is off; caFile is kept", () => {
            assert.equal(planPushCheck(false, { type: "docker" }, problems()), undefined);
            assert.deepEqual(planPushCheck({ caFile: "/ca.pem" }, { type: "docker" }, problems()), { caFile: "/ca.pem", settleMs: 0 });
        });
    });

    describe("SigV4 (ECR GetAuthorizationToken)", () => {
        // aws-sig-v4-test-suite: get-vanilla and post-vanilla.
        const vector = {
            host: "example.amazonaws.com",
            path: "/",
            headers: {},
            body: "",
            region: "us-east-1",
            service: "service",
            accessKeyId: "AKIDEXAMPLE",
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            date: new Date("2015-08-30T12:36:00Z"),
        };

        it("signs the test suite's get-vanilla and post-vanilla requests as AWS does", () => {
            const credential = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date";
            assert.equal(
                signV4({ ...vector, method: "GET" }).authorization,
                `AWS4-HMAC-SHA256 ${credential}, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`,
            );
            assert.equal(
                signV4({ ...vector, method: "POST" }).authorization,
                `AWS4-HMAC-SHA256 ${credential}, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b`,
            );
            assert.equal(signV4({ ...vector, method: "GET" })["x-amz-date"], "20150830T123600Z");
        });

        it("signs every header it is given, lowercased and sorted", () => {
            const signed = signV4({
                ...vector,
                method: "POST",
                headers: { "X-Amz-Target": "T", "Content-Type": "application/x-amz-json-1.1" },
            });
            assert.match(signed.authorization, /SignedHeaders=content-type;host;x-amz-date;x-amz-target,/);
        });

        it("the ECR API endpoint, .com.cn in the China regions", () => {
            assert.equal(ecrApiEndpoint("us-east-1"), "https://api.ecr.us-east-1.amazonaws.com");
            assert.equal(ecrApiEndpoint("cn-north-1"), "https://api.ecr.cn-north-1.amazonaws.com.cn");
        });
    });

    describe("command line", () => {
        it("a bare --ca-file is the prefix's registry; HOST=FILE names one; both repeat", () => {
            const options = parseCheckArgs([
                "--prefix",
                "harbor.example.com/dify",
                "--ca-file",
                __filename,
                "--ca-file",
                `auth.example.com=${__filename}`,
                "--insecure",
            ]);
            assert.deepEqual(options.caFiles, { "harbor.example.com": [__filename], "auth.example.com": [__filename] });
            assert.deepEqual(options.insecure, ["harbor.example.com"], "a bare --insecure is the prefix's registry");
        });

        it("usage errors are CheckUsageError", () => {
            assert.throws(() => parseCheckArgs([]), CheckUsageError);
            assert.throws(() => parseCheckArgs(["--prefix", "x.example.com", "extra"]), CheckUsageError);
        });
    });
});
