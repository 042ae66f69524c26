// The package as users get it (test/support/shippedProject.ts): the npm tarball in a fresh project, a user's program per
// registry kind compiled by `tsc --strict` as CommonJS and as ESM, registered under the installed SDK's mocks. Every
// dynamic resource's provider must serialize from node_modules — the failure every installed copy hit at its first
// preview ("package.json export path for …/check.js not found").
import * as assert from "node:assert/strict";
import { KIND_PROGRAMS, runMocked, type ShippedProject, shippedProject } from "../support/shippedProject";

const DYNAMIC = "pulumi-nodejs:dynamic:Resource";

/** The dynamic resources each kind's program creates with its default options. */
const EXPECTED_DYNAMIC: Record<string, string[]> = {
    docker: ["dify-image-mirror", "dify-push-check"],
    dockerhub: ["dify-push-check"],
    ecr: [],
    acr: ["dify-push-check"],
    aliyun: ["dify-push-check"],
    tcr: ["dify-push-check", "dify-tcr-namespace", "dify-tcr-token"],
};

describe("shipped: the user's program, from the npm tarball", function () {
    this.timeout(600_000);
    let project: ShippedProject;

    before(async () => {
        project = await shippedProject();
    });

    for (const module of ["cjs", "esm"] as const) {
        for (const kind of KIND_PROGRAMS) {
            it(`${module}: registry kind ${kind} registers every resource, the chart and its dynamic resources`, async () => {
                const run = await runMocked(project.dir, project.program(module, kind), module);
                assert.deepEqual(run.errors, []);
                const types = run.resources.map((r) => r.type);
                assert.ok(types.includes("dify:index:PluginRegistry"), types.join(", "));
                assert.ok(types.includes("kubernetes:helm.sh/v4:Chart"), `the chart is registered: ${types.join(", ")}`);
                const dynamic = run.resources.filter((r) => r.type === DYNAMIC);
                assert.deepEqual(dynamic.map((r) => r.name).sort(), EXPECTED_DYNAMIC[kind]);
                for (const r of dynamic) {
                    // Served from the installed package through its public engine entries, not copied by value.
                    assert.match(r.provider ?? "", /^exports\.handler = /);
                    assert.match(r.provider!, /require\("dify-plugin-registry\/engines\/(pushCheck|oci|tcr)"\)/, r.name);
                }
            });
        }

        it(`${module}: the README's "Using the component in your own program" example compiles and registers`, async () => {
            const run = await runMocked(project.dir, project.program(module, "readme"), module, {
                "user-project:harborRobotSecret": "harbor-Sentinel-readme",
            });
            assert.deepEqual(run.errors, []);
            const names = run.resources.map((r) => `${r.type} ${r.name}`);
            for (const expected of [
                "pulumi:providers:kubernetes cluster",
                "kubernetes:core/v1:Secret dify-image-repo-secret",
                `${DYNAMIC} dify-push-check`,
                "kubernetes:helm.sh/v4:Chart dify-dify",
            ]) {
                assert.ok(names.includes(expected), `${expected} in ${names.join(", ")}`);
            }
        });
    }
});
