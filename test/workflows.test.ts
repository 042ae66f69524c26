import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { listStacks } from "../program/offline/stackFile";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const VALIDATOR = path.join(ROOT, "node_modules", "@action-validator", "cli", "cli.mjs");

/** Runs @action-validator/cli on a workflow file (it checks GitHub's workflow schema). */
function validate(file: string): { status: number | null; output: string } {
    const run = spawnSync(process.execPath, [VALIDATOR, file], { encoding: "utf8" });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

type Step = { uses?: string; with?: Record<string, unknown>; run?: string };
type Workflow = { on: Record<string, unknown>; jobs: Record<string, { steps: Step[]; strategy?: { matrix: { stack: string[] } } }> };
const load = (name: string) => YAML.parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")) as Workflow;
const pulumiSteps = (wf: Workflow, job: string) => wf.jobs[job].steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));

describe("GitHub workflows", () => {
    for (const file of ["preview.yml", "deploy.yml"]) {
        it(`${file} is a valid workflow (action-validator)`, () => {
            const result = validate(path.join(WORKFLOWS, file));
            assert.equal(result.status, 0, result.output);
        });
    }

    it("the validator rejects a broken workflow (so the checks above can fail)", () => {
        const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wf-")), "broken.yml");
        fs.writeFileSync(broken, "on: push\njobs:\n  a:\n    runz-on: ubuntu-latest\n");
        const result = validate(broken);
        assert.notEqual(result.status, 0);
        assert.match(result.output, /runz-on/);
    });

    it("preview: on pull requests, tests first, then a commented preview per stack with the policy pack and no outputs", () => {
        const wf = load("preview.yml");
        assert.ok("pull_request" in wf.on);
        assert.ok(
            wf.jobs.test.steps.some((s) => s.run?.includes(".ci/run")),
            "the tests run before previews",
        );
        const stacks = wf.jobs.preview.strategy!.matrix.stack;
        assert.ok(stacks.length > 0);
        for (const stack of stacks) {
            assert.ok(listStacks(ROOT).includes(stack), `stack ${stack} has no stacks/Pulumi.${stack}.yaml`);
        }
        const [preview] = pulumiSteps(wf, "preview");
        assert.deepEqual(
            {
                command: preview.with!.command,
                comment: preview.with!["comment-on-pr"],
                edit: preview.with!["edit-pr-comment"],
                policy: preview.with!.policyPacks,
                quiet: preview.with!["suppress-outputs"],
            },
            { command: "preview", comment: true, edit: true, policy: "policy", quiet: true },
        );
    });

    it("deploy: up for the marked stacks, then a preview that expects no changes", () => {
        const wf = load("deploy.yml");
        assert.deepEqual(Object.keys(wf.on).sort(), ["push", "workflow_dispatch"]);
        for (const stack of wf.jobs.up.strategy!.matrix.stack) {
            assert.ok(listStacks(ROOT).includes(stack), `stack ${stack} has no stack file`);
        }
        const [up, check] = pulumiSteps(wf, "up");
        assert.equal(up.with!.command, "up");
        assert.equal(check.with!.command, "preview");
        assert.equal(check.with!["expect-no-changes"], true);
    });

    it("no credential is written into a workflow", () => {
        for (const file of fs.readdirSync(WORKFLOWS)) {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            for (const match of text.matchAll(/(ACCESS_TOKEN|SECRET_KEY|PASSPHRASE|ACCESS_KEY|SECRET_ID|KUBECONFIG[A-Z_]*):\s*(.+)/g)) {
                assert.match(match[2], /^\$\{\{ secrets(\.|\[)/, `${file}: ${match[1]} must come from secrets`);
            }
        }
    });
});
