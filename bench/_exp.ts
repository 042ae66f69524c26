import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { installRecordingMocks, resetRecorded, settle, registered } from "../program/offline/recorder";
import { componentProgram, handWrittenProgram } from "./programs";
import { planPluginRegistry } from "../components";
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
if (process.env.NOSM) process.setSourceMapsEnabled(false);

// hand-written, but each instance wrapped in a bare component resource (the floor of any component)
function handInComponent(n: number, outputs: boolean): void {
    for (let i = 0; i < n; i++) {
        const parent = new pulumi.ComponentResource("dify:index:PluginRegistry", `dify-${i}`, {});
        const password = pulumi.secret("hunter2");
        const ns = new k8s.core.v1.Namespace(`dify-${i}-namespace`, { metadata: { name: `ns-${i}` } }, { parent });
        const secret = new k8s.core.v1.Secret(`dify-${i}-image-repo-secret`, {
            metadata: { name: "image-repo-secret", namespace: ns.metadata.name },
            type: "kubernetes.io/dockerconfigjson",
            data: pulumi.secret(password.apply((pw) => { const e = Buffer.from(JSON.stringify({ auths: { "harbor.example.com": { auth: Buffer.from(`robot$dify:${pw}`).toString("base64") } } })).toString("base64"); return { ".dockerconfigjson": e, "config.json": e }; })),
        }, { parent });
        new k8s.helm.v4.Chart(`dify-${i}-dify`, { name: "dify", chart: "dify", version: "3.7.4", repositoryOpts: { repo: "https://langgenius.github.io/dify-helm" }, namespace: ns.metadata.name, values: { plugin_connector: { imageRepoSecret: "image-repo-secret" } }, skipAwait: false }, { parent, dependsOn: [ns, secret] });
        if (outputs) parent.registerOutputs({ a: ns.metadata.name, b: pulumi.output("x"), c: pulumi.output("y"), d: pulumi.output("z"), e: pulumi.output({}) });
        else parent.registerOutputs({});
    }
}
function planOnly(n: number): void {
    for (let i = 0; i < n; i++) planPluginRegistry(`dify-${i}`, { registry: { type: "docker", server: "harbor.example.com", prefix: "dify-plugins", username: "robot$dify", password: pulumi.secret("hunter2") }, namespace: `ns-${i}`, chart: { version: "3.7.4" } });
}
function errStack(n: number): void { for (let i = 0; i < n * 100; i++) void new Error().stack; }

const variants: Record<string, (n: number) => void> = {
    hand: handWrittenProgram,
    component: componentProgram,
    handInBareComponent: (n) => handInComponent(n, false),
    handInComponentWithOutputs: (n) => handInComponent(n, true),
    planOnly,
    errStack100: errStack,
};
async function main() {
    installRecordingMocks("dify-plugin-registry", "bench");
    const n = Number(process.env.BENCH_N ?? 200);
    const names = (process.env.V ?? Object.keys(variants).join(",")).split(",");
    const res: Record<string, number[]> = {};
    for (let r = 0; r < 4; r++) for (const v of (r % 2 ? [...names].reverse() : names)) {
        resetRecorded(); gc();
        const t0 = process.hrtime.bigint(); variants[v](n); await settle(); const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (r === 0 && v !== "planOnly" && v !== "errStack100") console.log(v, "registered", registered().length);
        if (r > 0) (res[v] ??= []).push(ms);
    }
    for (const [v, t] of Object.entries(res)) { t.sort((a, b) => a - b); console.log(v.padEnd(28), t.map((x) => x.toFixed(0)).join(" "), " median", t[1].toFixed(0)); }
    process.exit(0);
}
main();
