import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ChartPlan } from "./plan";

/** The Dify chart as a `helm.v4.Chart` (default) or a `helm.v3.Release`, depending on `chart.kind`. */
export function deployDifyChart(
    name: string,
    chart: ChartPlan,
    namespace: pulumi.Input<string>,
    values: pulumi.Input<Record<string, unknown>>,
    opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions,
): k8s.helm.v4.Chart | k8s.helm.v3.Release {
    if (chart.kind === "release") {
        return new k8s.helm.v3.Release(
            `${name}-dify`,
            {
                name: chart.releaseName,
                chart: chart.chart,
                version: chart.version,
                repositoryOpts: { repo: chart.repository },
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
            repositoryOpts: { repo: chart.repository },
            namespace,
            values,
            skipAwait: chart.skipAwait,
        },
        opts,
    );
}
