// A TypeScript program's `dependsOn` on the component reaches every resource the component creates (issue 19, item 3):
// the SDK passes a parent's providers, protect and aliases on to its children, not its dependsOn
// (components/childOptions.ts). The mocks' newResource sees no dependencies, so they are read from the requests the
// mock monitor receives.
import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { DifyPluginRegistry } from "../components";
import { evaluate } from "./support/evaluate";

type Request = { getName(): string; getType(): string; getDependenciesList(): string[] };
const settings = require("@pulumi/pulumi/runtime/settings") as {
    getMonitor(): { registerResource(req: Request, callback: unknown): unknown };
};

/** Each registration's dependencies (URNs), by name. */
async function dependenciesOf(program: () => void): Promise<Map<string, { type: string; dependencies: string[] }>> {
    const monitor = settings.getMonitor();
    const original = monitor.registerResource;
    const seen = new Map<string, { type: string; dependencies: string[] }>();
    monitor.registerResource = function (this: unknown, req: Request, callback: unknown) {
        seen.set(req.getName(), { type: req.getType(), dependencies: req.getDependenciesList() });
        return original.call(this, req, callback);
    };
    try {
        await evaluate(program);
    } finally {
        monitor.registerResource = original;
    }
    return seen;
}

describe("component: the dependsOn a TypeScript program gives the component", () => {
    it("reaches every resource the component creates (the Namespace, the Secret, the chart)", async () => {
        let gateUrn: Promise<string> | undefined;
        const seen = await dependenciesOf(() => {
            const gate = new k8s.core.v1.ConfigMap("gate", { data: { ready: "yes" } });
            gateUrn = new Promise((resolve) => gate.urn.apply(resolve));
            new DifyPluginRegistry(
                "dify",
                {
                    registry: { type: "docker", server: "harbor.example.com", prefix: "dify/plugins", username: "u", password: "pw" },
                    chart: { version: "3.9.1" },
                    pushCheck: false,
                },
                { dependsOn: [gate] },
            );
        });
        const gate = await gateUrn!;
        const children = [...seen].filter(([name]) => name.startsWith("dify-"));
        assert.deepEqual(children.map(([, r]) => r.type).sort(), [
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:Secret",
            "kubernetes:helm.sh/v4:Chart",
        ]);
        for (const [name, r] of children) {
            assert.ok(r.dependencies.includes(gate), `${name}: ${r.dependencies}`);
        }
    });
});
