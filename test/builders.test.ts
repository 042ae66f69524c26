// Plain-function tests of the pure builders and validators (no Pulumi engine, no mocks).
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { buildDockerConfig, dockerConfigJson, DOCKER_HUB_AUTH_KEY } from "../engines/oci/dockerConfig";
import { formatImageReference, mirroredImageReference, parseImageReference } from "../engines/oci/imageReference";
import { ArgumentProblems, dns1123LabelProblem, hostPortProblem, repositoryPathProblem } from "../components/validation";
import {
    buildChartValues,
    checkUserValues,
    deepMerge,
    IMAGE_REPO_SECRET,
    MANAGED_PLUGIN_CONNECTOR_KEYS,
} from "../components/values/chartValues";

/** Runs checkUserValues and returns what it recorded (via throwIfAny, the only way problems leave the class). */
function problemsFor(values: unknown, path?: string): pulumi.InputPropertyErrorDetails[] {
    const problems = new ArgumentProblems();
    checkUserValues(values, problems, path);
    if (problems.isEmpty) {
        return [];
    }
    try {
        problems.throwIfAny("test");
    } catch (err) {
        assert.ok(err instanceof pulumi.InputPropertiesError);
        return err.errors;
    }
    assert.fail("throwIfAny did not throw although problems were recorded");
}

const decodeAuth = (auth: string) => Buffer.from(auth, "base64").toString("utf8");

describe("dockerConfig", () => {
    it("dockerConfigJson gives the exact JSON for one login", () => {
        assert.equal(
            dockerConfigJson([{ server: "harbor.example.com", username: "user", password: "pass" }]),
            '{"auths":{"harbor.example.com":{"auth":"dXNlcjpwYXNz"}}}',
        );
    });

    it("auth is base64 of user:password and decodes back", () => {
        const config = buildDockerConfig([{ server: "127.0.0.1:5000", username: "user", password: "pass" }]);
        assert.deepEqual(config, { auths: { "127.0.0.1:5000": { auth: "dXNlcjpwYXNz" } } });
        assert.equal(decodeAuth(config.auths["127.0.0.1:5000"].auth), "user:pass");
    });

    it("stores Docker Hub logins under https://index.docker.io/v1/", () => {
        assert.equal(DOCKER_HUB_AUTH_KEY, "https://index.docker.io/v1/");
        const config = buildDockerConfig([{ server: DOCKER_HUB_AUTH_KEY, username: "dockeruser", password: "dckr_pat_x" }]);
        assert.deepEqual(Object.keys(config.auths), ["https://index.docker.io/v1/"]);
        assert.equal(decodeAuth(config.auths["https://index.docker.io/v1/"].auth), "dockeruser:dckr_pat_x");
    });

    it("keeps passwords with ':' intact (split on the first colon)", () => {
        const config = buildDockerConfig([{ server: "harbor.example.com", username: "robot$dify", password: "p:a:ss" }]);
        const auth = config.auths["harbor.example.com"].auth;
        assert.equal(auth, "cm9ib3QkZGlmeTpwOmE6c3M=");
        const decoded = decodeAuth(auth);
        const colon = decoded.indexOf(":");
        assert.deepEqual([decoded.slice(0, colon), decoded.slice(colon + 1)], ["robot$dify", "p:a:ss"]);
    });

    it("encodes unicode credentials as UTF-8", () => {
        const config = buildDockerConfig([{ server: "harbor.example.com", username: "ünïcødé", password: "pä55wörd🔑" }]);
        assert.equal(config.auths["harbor.example.com"].auth, "w7xuw69jw7hkw6k6cMOkNTV3w7ZyZPCflJE=");
        assert.equal(decodeAuth(config.auths["harbor.example.com"].auth), "ünïcødé:pä55wörd🔑");
    });

    it("gives the same bytes for the same input, with several logins in input order", () => {
        const logins = [
            { server: "b.example.com", username: "u1", password: "p1" },
            { server: "a.example.com", username: "u2", password: "p2" },
        ];
        const first = dockerConfigJson(logins);
        assert.equal(first, dockerConfigJson(logins.map((l) => ({ ...l }))));
        assert.equal(first, '{"auths":{"b.example.com":{"auth":"dTE6cDE="},"a.example.com":{"auth":"dTI6cDI="}}}');
    });

    it("adds credHelpers only when given and non-empty", () => {
        const login = [{ server: "harbor.example.com", username: "user", password: "pass" }];
        const ecrHost = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
        assert.equal(
            dockerConfigJson(login, { [ecrHost]: "ecr-login" }),
            `{"auths":{"harbor.example.com":{"auth":"dXNlcjpwYXNz"}},"credHelpers":{"${ecrHost}":"ecr-login"}}`,
        );
        assert.deepEqual(buildDockerConfig([], { [ecrHost]: "ecr-login" }), { auths: {}, credHelpers: { [ecrHost]: "ecr-login" } });
        for (const none of [undefined, {}]) {
            const config = buildDockerConfig(login, none);
            assert.equal(Object.hasOwn(config, "credHelpers"), false);
            assert.equal(dockerConfigJson(login, none), '{"auths":{"harbor.example.com":{"auth":"dXNlcjpwYXNz"}}}');
        }
    });
});

describe("imageReference", () => {
    const cases: [string, ReturnType<typeof parseImageReference>][] = [
        ["nginx:1.29.4-alpine", { domain: "docker.io", path: "library/nginx", tag: "1.29.4-alpine", digest: undefined }],
        ["busybox:latest", { domain: "docker.io", path: "library/busybox", tag: "latest", digest: undefined }],
        ["busybox", { domain: "docker.io", path: "library/busybox", tag: undefined, digest: undefined }],
        ["gcr.io/kaniko-project/executor:latest", { domain: "gcr.io", path: "kaniko-project/executor", tag: "latest", digest: undefined }],
        ["amazon/aws-cli:latest", { domain: "docker.io", path: "amazon/aws-cli", tag: "latest", digest: undefined }],
        [
            "docker.io/langgenius/plugin-build-base-python:3.12-secure",
            { domain: "docker.io", path: "langgenius/plugin-build-base-python", tag: "3.12-secure", digest: undefined },
        ],
        ["docker.io/nginx:1.29", { domain: "docker.io", path: "library/nginx", tag: "1.29", digest: undefined }],
        ["localhost:5000/x/y:1", { domain: "localhost:5000", path: "x/y", tag: "1", digest: undefined }],
        ["localhost:5000/x", { domain: "localhost:5000", path: "x", tag: undefined, digest: undefined }],
        ["localhost/x:2", { domain: "localhost", path: "x", tag: "2", digest: undefined }],
        [
            `image@sha256:${"a".repeat(64)}`,
            { domain: "docker.io", path: "library/image", tag: undefined, digest: `sha256:${"a".repeat(64)}` },
        ],
        [
            `harbor.example.com:8443/team/app:1.0@sha256:${"b".repeat(64)}`,
            { domain: "harbor.example.com:8443", path: "team/app", tag: "1.0", digest: `sha256:${"b".repeat(64)}` },
        ],
    ];
    for (const [reference, expected] of cases) {
        it(`parses ${reference}`, () => {
            assert.deepEqual(parseImageReference(reference), expected);
        });
    }

    it("formats parsed references in normalised form", () => {
        assert.equal(formatImageReference(parseImageReference("nginx:1.29.4-alpine")), "docker.io/library/nginx:1.29.4-alpine");
        assert.equal(formatImageReference(parseImageReference("localhost:5000/x/y:1")), "localhost:5000/x/y:1");
        assert.equal(
            formatImageReference(parseImageReference(`image@sha256:${"a".repeat(64)}`)),
            `docker.io/library/image@sha256:${"a".repeat(64)}`,
        );
    });

    const mirror = "harbor.example.com/mirror";
    const mirrored: [string, string][] = [
        ["nginx:1.29.4-alpine", "harbor.example.com/mirror/nginx:1.29.4-alpine"],
        ["docker.io/library/nginx:1.29", "harbor.example.com/mirror/nginx:1.29"],
        ["busybox:latest", "harbor.example.com/mirror/busybox:latest"],
        ["gcr.io/kaniko-project/executor:latest", "harbor.example.com/mirror/kaniko-project/executor:latest"],
        ["amazon/aws-cli:latest", "harbor.example.com/mirror/amazon/aws-cli:latest"],
        [
            "docker.io/langgenius/plugin-build-base-python:3.12-secure",
            "harbor.example.com/mirror/langgenius/plugin-build-base-python:3.12-secure",
        ],
        ["localhost:5000/x/y:1", "harbor.example.com/mirror/x/y:1"],
        ["busybox", "harbor.example.com/mirror/busybox"],
        [`image@sha256:${"c".repeat(64)}`, `harbor.example.com/mirror/image@sha256:${"c".repeat(64)}`],
    ];
    for (const [reference, expected] of mirrored) {
        it(`mirrors ${reference} to ${expected}`, () => {
            assert.equal(mirroredImageReference(reference, mirror), expected);
        });
    }
});

describe("deepMerge / buildChartValues", () => {
    it("merges nested objects, replaces arrays and scalars, and does not mutate its inputs", () => {
        const base = { a: { b: 1, c: { d: 2 } }, list: [1, 2], keep: "x", obj: { k: 1 }, arr: [1] };
        const override = { a: { c: { e: 3 } }, list: [3], n: null, obj: [9], arr: { k: 2 } };
        const [baseBefore, overrideBefore] = [structuredClone(base), structuredClone(override)];
        const merged = deepMerge(base, override);
        assert.deepEqual(merged, {
            a: { b: 1, c: { d: 2, e: 3 } },
            list: [3],
            keep: "x",
            obj: [9],
            arr: { k: 2 },
            n: null,
        });
        assert.deepEqual(base, baseBefore);
        assert.deepEqual(override, overrideBefore);
        assert.notEqual(merged, base);
        assert.notEqual(merged.a, base.a);
    });

    it("buildChartValues without user values is just the plugin_connector block", () => {
        assert.deepEqual(buildChartValues(undefined, { imageRepoPrefix: "dify-plugins" }), {
            plugin_connector: { imageRepoPrefix: "dify-plugins" },
        });
    });

    it("buildChartValues merges the component's plugin_connector over the user's values", () => {
        const user = {
            global: { appSecretKey: "s" },
            plugin_connector: { replicas: 2, resources: { limits: { cpu: "1" } }, imageRepoPrefix: "user-wins-not" },
        };
        const before = structuredClone(user);
        const values = buildChartValues(user, {
            imageRepoSecret: IMAGE_REPO_SECRET,
            imageRepoPrefix: "dify-plugins",
            tolerations: [{ key: "a" }],
        });
        assert.deepEqual(values, {
            global: { appSecretKey: "s" },
            plugin_connector: {
                replicas: 2,
                resources: { limits: { cpu: "1" } },
                imageRepoPrefix: "dify-plugins",
                imageRepoSecret: "image-repo-secret",
                tolerations: [{ key: "a" }],
            },
        });
        assert.deepEqual(user, before);
    });
});

describe("checkUserValues", () => {
    const managed: Record<string, string> = {
        imageRepoPrefix: "registry",
        imageRepoType: "registry.type",
        ecrRegion: "registry",
        insecureImageRepo: "registry.insecure",
        customServiceAccount: "pluginConnector.serviceAccounts.build",
        runnerServiceAccount: "pluginConnector.serviceAccounts.runner",
        nodeSelector: "pluginConnector.nodeSelector",
        affinity: "pluginConnector.affinity",
        tolerations: "pluginConnector.tolerations",
        labels: "pluginConnector.labels",
        gatewayImage: "pluginConnector.images.gateway",
        shaderImage: "pluginConnector.images.shader",
        busyBoxImage: "pluginConnector.images.busyBox",
        awsCliImage: "pluginConnector.images.awsCli",
        generatorConf: "pluginConnector.python (and pluginConnector.imageMirror)",
    };

    it("manages exactly the documented plugin_connector keys", () => {
        assert.deepEqual(Object.keys(MANAGED_PLUGIN_CONNECTOR_KEYS).sort(), ["imageRepoSecret", ...Object.keys(managed)].sort());
    });

    for (const [key, argument] of Object.entries(managed)) {
        it(`rejects plugin_connector.${key}, naming ${argument}`, () => {
            assert.deepEqual(problemsFor({ plugin_connector: { [key]: "x" } }), [
                {
                    propertyPath: `chart.values.plugin_connector.${key}`,
                    reason: `is set by the component; use ${argument} instead`,
                },
            ]);
        });
    }

    it("reports every managed key at once, under a custom path", () => {
        const connector = Object.fromEntries(Object.keys(managed).map((k) => [k, "x"]));
        const found = problemsFor({ plugin_connector: { replicas: 3, ...connector } }, "dify.chart.values");
        assert.deepEqual(
            found.map((p) => p.propertyPath),
            Object.keys(managed).map((k) => `dify.chart.values.plugin_connector.${k}`),
        );
    });

    it("accepts imageRepoSecret equal to image-repo-secret", () => {
        assert.deepEqual(problemsFor({ plugin_connector: { imageRepoSecret: "image-repo-secret" } }), []);
    });

    it("rejects any other imageRepoSecret", () => {
        assert.deepEqual(problemsFor({ plugin_connector: { imageRepoSecret: "my-secret" } }), [
            {
                propertyPath: "chart.values.plugin_connector.imageRepoSecret",
                reason: 'must be "image-repo-secret" (Dify reads that fixed Secret name), got "my-secret"; remove the key',
            },
        ]);
    });

    it("passes unmanaged keys (including names of Object.prototype members)", () => {
        assert.deepEqual(
            problemsFor({
                global: { edition: "SELF_HOSTED" },
                plugin_connector: {
                    replicas: 2,
                    image: { repository: "langgenius/dify-ee-plugin-connector", tag: "3.9.1" },
                    resources: {},
                    securityContext: {},
                    maxWaitSeconds: 600,
                    builderName: "kaniko",
                    github: { branch: "main" },
                    constructor: 1,
                    toString: "x",
                    hasOwnProperty: true,
                },
            }),
            [],
        );
    });

    it("accepts no values and values without plugin_connector", () => {
        assert.deepEqual(problemsFor(undefined), []);
        assert.deepEqual(problemsFor({}), []);
        assert.deepEqual(problemsFor({ api: { replicas: 2 } }), []);
    });

    it("rejects values that are not objects", () => {
        for (const bad of [[], "x", 1, null]) {
            assert.deepEqual(problemsFor(bad), [{ propertyPath: "chart.values", reason: "must be an object of Helm values" }]);
        }
        for (const bad of [[], "x", null]) {
            assert.deepEqual(problemsFor({ plugin_connector: bad }), [
                { propertyPath: "chart.values.plugin_connector", reason: "must be an object" },
            ]);
        }
    });
});

describe("validation", () => {
    describe("repositoryPathProblem", () => {
        for (const ok of ["dify-plugins", "a/b-c/d_e", "team/dify-plugins", "a.b/c__d", "a--b/c", "x", "0/1"]) {
            it(`accepts ${ok}`, () => {
                assert.equal(repositoryPathProblem(ok), undefined);
            });
        }
        const bad: [string | undefined, string][] = [
            [undefined, "is required: a repository path such as `dify-plugins` or `team/dify-plugins`"],
            ["", "is required: a repository path such as `dify-plugins` or `team/dify-plugins`"],
            ["https://harbor.example.com/dify", '"https://harbor.example.com/dify" has a scheme; give the path only, e.g. `dify-plugins`'],
            ["oci://x/y", '"oci://x/y" has a scheme; give the path only, e.g. `dify-plugins`'],
            ["Dify/plugins", '"Dify/plugins" has uppercase letters; repository paths are lowercase'],
            ["a/b:1.0", '"a/b:1.0" has a tag or digest; give the repository path only (Dify appends `/<plugin>:<tag>`)'],
            [
                `a/b@sha256:${"d".repeat(64)}`,
                `"a/b@sha256:${"d".repeat(64)}" has a tag or digest; give the repository path only (Dify appends \`/<plugin>:<tag>\`)`,
            ],
            ["a/b/", '"a/b/" has a leading or trailing slash; write it as `a/b`'],
            ["/a/b", '"/a/b" has a leading or trailing slash; write it as `a/b`'],
            ["a//b", '"a//b" is not a repository path: lowercase letters, digits and single separators (. _ -) between slashes'],
            ["a b", '"a b" is not a repository path: lowercase letters, digits and single separators (. _ -) between slashes'],
            ["-a", '"-a" is not a repository path: lowercase letters, digits and single separators (. _ -) between slashes'],
            ["a_", '"a_" is not a repository path: lowercase letters, digits and single separators (. _ -) between slashes'],
            ["a___b", '"a___b" is not a repository path: lowercase letters, digits and single separators (. _ -) between slashes'],
        ];
        for (const [value, reason] of bad) {
            it(`rejects ${JSON.stringify(value)}`, () => {
                assert.equal(repositoryPathProblem(value), reason);
            });
        }
    });

    describe("hostPortProblem", () => {
        for (const ok of [
            "harbor.example.com",
            "127.0.0.1:5000",
            "localhost:5000",
            "localhost",
            "registry-1.example.com:443",
            "[::1]:5000",
            "x:65535",
            "x:1",
        ]) {
            it(`accepts ${ok}`, () => {
                assert.equal(hostPortProblem(ok), undefined);
            });
        }
        const example = "a registry host such as `harbor.example.com` or `127.0.0.1:5000`";
        const notHostPort = (s: string) => `"${s}" is not hostname[:port]; give ${example} (no scheme, no path)`;
        const bad: [string | undefined, string][] = [
            [undefined, `is required: ${example}`],
            ["", `is required: ${example}`],
            ["https://x", notHostPort("https://x")],
            ["x/y", notHostPort("x/y")],
            ["harbor.example.com/project", notHostPort("harbor.example.com/project")],
            ["x:", notHostPort("x:")],
            ["-x.example.com", notHostPort("-x.example.com")],
            ["x:123456", notHostPort("x:123456")],
            ["x:99999", '"x:99999" has port 99999; ports are 1-65535'],
            ["x:65536", '"x:65536" has port 65536; ports are 1-65535'],
            ["x:0", '"x:0" has port 0; ports are 1-65535'],
        ];
        for (const [value, reason] of bad) {
            it(`rejects ${JSON.stringify(value)}`, () => {
                assert.equal(hostPortProblem(value), reason);
            });
        }
    });

    describe("dns1123LabelProblem", () => {
        for (const ok of ["dify", "a", "a-1", "0", "dify-plugins-2", "a".repeat(63)]) {
            it(`accepts ${ok.length > 20 ? `${ok.length} chars` : ok}`, () => {
                assert.equal(dns1123LabelProblem(ok), undefined);
            });
        }
        const reason = (name: string) =>
            `"${name}" is not a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit`;
        for (const bad of ["", "Dify", "-a", "a-", "a_b", "a.b", "a b", "a".repeat(64)]) {
            it(`rejects ${bad.length > 20 ? `${bad.length} chars` : JSON.stringify(bad)}`, () => {
                assert.equal(dns1123LabelProblem(bad), reason(bad));
            });
        }
        it("rejects undefined", () => {
            assert.equal(dns1123LabelProblem(undefined), reason("undefined"));
        });
    });

    describe("ArgumentProblems", () => {
        it("does not throw when nothing was recorded", () => {
            const problems = new ArgumentProblems();
            assert.equal(problems.isEmpty, true);
            assert.doesNotThrow(() => problems.throwIfAny("PluginRegistry dify"));
        });

        it("throws one InputPropertiesError listing every path and reason", () => {
            const problems = new ArgumentProblems();
            problems.add("registry.prefix", "has uppercase letters");
            problems.add("namespace", "is not a DNS-1123 label");
            problems.add("chart.values.plugin_connector.gatewayImage", "is set by the component");
            assert.equal(problems.isEmpty, false);
            assert.throws(
                () => problems.throwIfAny("PluginRegistry dify"),
                (err: unknown) => {
                    assert.ok(err instanceof pulumi.InputPropertiesError, "not a pulumi.InputPropertiesError");
                    assert.equal(pulumi.InputPropertiesError.isInstance(err), true);
                    assert.equal(
                        err.message,
                        "PluginRegistry dify has invalid arguments:\n" +
                            "  - registry.prefix: has uppercase letters\n" +
                            "  - namespace: is not a DNS-1123 label\n" +
                            "  - chart.values.plugin_connector.gatewayImage: is set by the component",
                    );
                    assert.deepEqual(err.errors, [
                        { propertyPath: "registry.prefix", reason: "has uppercase letters" },
                        { propertyPath: "namespace", reason: "is not a DNS-1123 label" },
                        { propertyPath: "chart.values.plugin_connector.gatewayImage", reason: "is set by the component" },
                    ]);
                    return true;
                },
            );
        });
    });
});
