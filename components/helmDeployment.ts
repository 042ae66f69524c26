import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { dockerConfigLoginProblem, loginFromDockerConfig } from "./chartSource";
import type { ChartPlan } from "./plan";

/** The Dify chart as a `helm.v4.Chart` (default) or a `helm.v3.Release`, depending on `chart.kind`. */
export function deployDifyChart(
    name: string,
    chart: ChartPlan,
    namespace: pulumi.Input<string>,
    values: pulumi.Input<Record<string, unknown>>,
    opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions,
    /** The plugin registry's docker config (`image-repo-secret`): the login `chart.fromMirror` uses by default. */
    registryDockerConfig?: pulumi.Input<string>,
): k8s.helm.v4.Chart | k8s.helm.v3.Release {
    const login = chartLogin(chart, registryDockerConfig);
    // An OCI chart is its reference alone (`oci://host/path`, the version its tag); a Helm repository is `repo`.
    const repositoryOpts = {
        ...(chart.repository !== undefined ? { repo: chart.repository } : {}),
        ...(login ? { username: login.username, password: login.password } : {}),
    };
    if (chart.kind === "release") {
        return new k8s.helm.v3.Release(
            `${name}-dify`,
            {
                name: chart.releaseName,
                chart: chart.chart,
                version: chart.version,
                repositoryOpts: { ...repositoryOpts, ...(chart.caFile !== undefined ? { caFile: chart.caFile } : {}) },
                namespace,
                // The component owns the namespace; Helm must not create or delete it.
                createNamespace: false,
                values,
                skipAwait: chart.skipAwait,
                ...(chart.timeout !== undefined ? { timeout: chart.timeout } : {}),
            },
            opts,
        );
    }
    return new k8s.helm.v4.Chart(
        `${name}-dify`,
        {
            name: chart.releaseName,
            chart: chart.chart,
            version: chart.version,
            // helm.v4.Chart takes the CA as an asset, which the provider reads on the deploying machine.
            repositoryOpts: {
                ...repositoryOpts,
                ...(chart.caFile !== undefined ? { caFile: new pulumi.asset.FileAsset(chart.caFile) } : {}),
            },
            ...(chart.plainHttp ? { plainHttp: true } : {}),
            namespace,
            values,
            skipAwait: chart.skipAwait,
        },
        opts,
    );
}

/** The login as a username and a secret password; a docker config is read when it resolves. */
function chartLogin(
    chart: ChartPlan,
    registryDockerConfig: pulumi.Input<string> | undefined,
): { username: pulumi.Output<string>; password: pulumi.Output<string> } | undefined {
    const login = chart.login;
    if (login === undefined) return undefined;
    if (login.kind === "password") {
        return { username: pulumi.output(login.username), password: pulumi.secret(login.password) };
    }
    const what =
        login.kind === "registry" ? "the plugin registry's login (image-repo-secret)" : "chart.auth / pluginConnector.mirrorImages.auth";
    const auth = login.kind === "registry" ? registryDockerConfig : login.auth;
    if (auth === undefined) throw new Error(`chart: ${what} is needed to read the chart from ${login.server}, and there is none`);
    // The mirror's login, not asked for: a docker config without an entry for the mirror means an anonymous read.
    const anonymous = login.kind === "registry" || login.implicit === true;
    // The docker config is a secret, and so is everything read from it (the username included).
    const resolved = pulumi
        .secret(auth)
        .apply((text) =>
            anonymous && dockerConfigLoginProblem(text, login.server) !== undefined
                ? { username: "", password: "" }
                : loginFromDockerConfig(text, login.server, what),
        );
    return { username: resolved.apply((l) => l.username), password: resolved.apply((l) => l.password) };
}
