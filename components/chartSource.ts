/**
 * Where the Dify chart comes from and how Helm logs in there: a classic Helm repository, an `oci://` reference, or
 * (`chart.fromMirror`) the image mirror. Validation and resolution are pure; the login is resolved to a username and a
 * secret password only when the chart resource is built (`helmDeployment.ts`), since a docker config may be an Output.
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { DifyChartArgs, PluginConnectorArgs } from "./args";
import { loadCredentials } from "../engines/oci/credentials";
import { type ArgumentProblems, hostPortProblem, isPlain, repositoryPathProblem } from "./validation";
import { isPlainObject } from "./values/chartValues";

/** The chart name in the Dify repository, and its folder in the mirror. */
const DEFAULT_CHART_NAME = "dify";

/** How Helm logs in to the chart's server. */
export type ChartLogin =
    | { readonly kind: "password"; readonly username: string; readonly password: pulumi.Input<string> }
    /**
     * A docker config (`chart.auth`, or `mirrorImages.auth` for `chart.fromMirror`): the entry for `server`. `implicit`
     * (the mirror's login, not asked for): without an entry for `server`, Helm reads anonymously.
     */
    | { readonly kind: "dockerConfig"; readonly auth: pulumi.Input<string>; readonly server: string; readonly implicit?: boolean }
    /**
     * The plugin registry's own login (`image-repo-secret`'s docker config), for `server`: the mirror's default; without
     * an entry for `server`, Helm reads anonymously.
     */
    | { readonly kind: "registry"; readonly server: string };

/** The chart's source, resolved. */
export interface ChartSource {
    /** `oci://<registry>/<path>`, or the chart's name in `repository`. */
    readonly chart: string;
    /** The Helm repository; undefined for an OCI chart. */
    readonly repository?: string;
    readonly login?: ChartLogin;
    /** Absolute path of the CA file. */
    readonly caFile?: string;
    /** The mirror speaks plain HTTP (`mirrorImages.registries.<host>.insecure`). */
    readonly plainHttp?: boolean;
}

const OCI = "oci://";
const OCI_EXAMPLE = "`oci://harbor.example.com/charts/dify`";

/** Validates the chart's source and login (recording problems by argument path) and resolves them. */
export function planChartSource(
    chart: Partial<DifyChartArgs>,
    connector: PluginConnectorArgs,
    defaultRepository: string,
    problems: ArgumentProblems,
): ChartSource | undefined {
    const before = problems.count;
    const oci = typeof chart.chart === "string" && chart.chart.startsWith(OCI);
    let server: string | undefined;
    let chartRef = chart.chart ?? DEFAULT_CHART_NAME;
    let repository: string | undefined = chart.repository ?? defaultRepository;
    let plainHttp = false;
    let mirrorCaFile: string | undefined;

    if (chart.fromMirror === true) {
        const mirror = connector.imageMirror;
        if (mirror === undefined) {
            problems.add(
                "chart.fromMirror",
                "needs pluginConnector.imageMirror: the registry/prefix the chart is read from (<imageMirror>/charts/dify)",
            );
            return undefined;
        }
        if (oci) {
            problems.add(
                "chart.chart",
                `is the chart's name with chart.fromMirror (the reference is oci://${mirror}/charts/<name>), not an oci:// reference`,
            );
            return undefined;
        }
        server = mirror.split("/")[0];
        chartRef = `${OCI}${mirror.replace(/\/+$/, "")}/charts/${chart.chart ?? DEFAULT_CHART_NAME}`;
        repository = undefined;
        const settings = connector.mirrorImages?.registries?.[server];
        plainHttp = settings?.insecure === true;
        mirrorCaFile = settings?.caFile;
        if (plainHttp && chart.kind === "release") {
            problems.add(
                "chart.fromMirror",
                `the mirror ${server} speaks plain HTTP (mirrorImages.registries), which helm.v3.Release cannot read charts over; use chart.kind "chart"`,
            );
        }
    } else if (oci) {
        const ref = chart.chart!.slice(OCI.length);
        const slash = ref.indexOf("/");
        server = slash < 0 ? ref : ref.slice(0, slash);
        const repoPath = slash < 0 ? "" : ref.slice(slash + 1);
        const problem =
            hostPortProblem(server) ??
            (slash < 0 ? "has no repository path" : undefined) ??
            (/[:@]/.test(repoPath) ? "names a tag or digest; the version is chart.version" : undefined) ??
            repositoryPathProblem(repoPath);
        if (problem !== undefined) problems.add("chart.chart", `${JSON.stringify(chart.chart)}: ${problem}; expected ${OCI_EXAMPLE}`);
        if (chart.repository !== undefined) {
            problems.add(
                "chart.repository",
                `must not be given with an OCI chart (chart.chart ${JSON.stringify(chart.chart)} names its registry); remove chart.repository`,
            );
        }
        repository = undefined;
    } else {
        if (chart.repository !== undefined) {
            if (typeof chart.repository === "string" && chart.repository.startsWith(OCI)) {
                problems.add(
                    "chart.repository",
                    `is a classic Helm repository's http(s):// URL; for an OCI registry give the chart as chart.chart: "${chart.repository.replace(/\/+$/, "")}/${chart.chart ?? DEFAULT_CHART_NAME}" and no repository`,
                );
            } else if (typeof chart.repository !== "string" || !/^https?:\/\/[^/\s]+/.test(chart.repository)) {
                problems.add(
                    "chart.repository",
                    `must be the http(s):// URL of a Helm repository, got ${JSON.stringify(chart.repository)}`,
                );
            } else {
                server = new URL(chart.repository).host;
            }
        }
        if (typeof chart.chart === "string" && chart.chart.includes("/")) {
            problems.add(
                "chart.chart",
                `${JSON.stringify(chart.chart)}: the chart's name in chart.repository (e.g. "dify"), or an OCI reference such as ${OCI_EXAMPLE}`,
            );
        }
    }

    const login = planLogin(chart, connector, server, problems);
    const caFile = chart.caFile ?? mirrorCaFile;
    if (chart.caFile !== undefined && (typeof chart.caFile !== "string" || chart.caFile === "")) {
        problems.add("chart.caFile", "must be the path of a PEM file");
    } else if (chart.caFile !== undefined && server === undefined) {
        problems.add("chart.caFile", loginWithoutServer("a CA file"));
    }
    if (problems.count > before) return undefined;
    return {
        chart: chartRef,
        ...(repository !== undefined ? { repository } : {}),
        ...(login ? { login } : {}),
        ...(caFile !== undefined ? { caFile: path.resolve(caFile) } : {}),
        ...(plainHttp ? { plainHttp } : {}),
    };
}

function loginWithoutServer(what: string): string {
    return (
        `${what} needs the server it is for: give chart.repository (the Helm repository's https:// URL) or chart.chart as an ` +
        `OCI reference such as ${OCI_EXAMPLE} (or chart.fromMirror); the default repository is public`
    );
}

function planLogin(
    chart: Partial<DifyChartArgs>,
    connector: PluginConnectorArgs,
    server: string | undefined,
    problems: ArgumentProblems,
): ChartLogin | undefined {
    const given = (["username", "password", "auth"] as const).filter((k) => chart[k] !== undefined);
    if (given.length === 0) {
        if (chart.fromMirror !== true || server === undefined) return undefined;
        // The image mirror's login: mirrorImages.auth, else the plugin registry's (image-repo-secret).
        const auth = connector.mirrorImages?.auth;
        return auth !== undefined ? { kind: "dockerConfig", auth, server, implicit: true } : { kind: "registry", server };
    }
    // An explicit server is required: the default repository is public, and a login must not go to it.
    if (server === undefined || (chart.repository === undefined && !chart.chart?.startsWith(OCI) && chart.fromMirror !== true)) {
        problems.add(`chart.${given[0]}`, loginWithoutServer("a login"));
        return undefined;
    }
    if (chart.auth !== undefined) {
        if (chart.username !== undefined || chart.password !== undefined) {
            problems.add(
                "chart.auth",
                "is the login as a docker config, instead of chart.username and chart.password: give one or the other",
            );
            return undefined;
        }
        if (isPlain(chart.auth)) {
            // The value is a secret: say what is wrong, never what it is.
            const problem = dockerConfigLoginProblem(chart.auth, server);
            if (problem !== undefined) {
                problems.add("chart.auth", problem);
                return undefined;
            }
        }
        return { kind: "dockerConfig", auth: chart.auth, server };
    }
    if (typeof chart.username !== "string" || chart.username === "" || chart.password === undefined) {
        problems.add(
            chart.username === undefined || chart.username === "" ? "chart.username" : "chart.password",
            "a login is chart.username and chart.password, both",
        );
        return undefined;
    }
    return { kind: "password", username: chart.username, password: chart.password };
}

/** Why a docker config holds no usable login for `server`, or undefined when it does. */
export function dockerConfigLoginProblem(auth: unknown, server: string): string | undefined {
    let parsed: unknown;
    try {
        parsed = typeof auth === "string" ? JSON.parse(auth) : undefined;
    } catch {
        parsed = undefined;
    }
    if (!isPlainObject(parsed) || !isPlainObject(parsed.auths)) {
        return 'must be docker config JSON such as {"auths":{"<host>":{"auth":"base64(user:password)"}}}';
    }
    try {
        if (loadCredentials(parsed as { auths: Record<string, unknown> }).lookup(server) === undefined) {
            return `has no login for ${server}, the chart's server`;
        }
    } catch {
        return `its entry for ${server} is not base64("user:password")`;
    }
    return undefined;
}

/** `{ username, password }` for `server` from a docker config; throws (without the secret) when it has none. */
export function loginFromDockerConfig(auth: string, server: string, what: string): { username: string; password: string } {
    const problem = dockerConfigLoginProblem(auth, server);
    if (problem !== undefined) throw new Error(`${what} ${problem}`);
    return loadCredentials(JSON.parse(auth) as { auths: Record<string, unknown> }).lookup(server)!;
}
