/**
 * `dify-plugin-registry mirror`: copies the images a Dify chart version needs (and any named with `--image`) into
 * `--to <registry/prefix>`, with the library in `engines/oci`.
 */
// The engine's index (no Pulumi, no cloud SDK) and the table's version list (no YAML): nothing else loads at start-up.
// The chart's images come from `./chartSources`, imported only when a chart version is asked for.
import { isKnownChartVersion, knownChartVersions } from "../engines/difyChart/defaults/versions";
import { mirrorImages, parsePlatform, planMirror } from "../engines/oci";
import { readImagesFile } from "./imagesFile";
import { existingFile, userPath } from "./paths";
import { count, type Output, formatPlan, formatSummary, progressPrinter } from "./progress";
import { bareInsecure, defaultAuthFile, registryConnections } from "./registryOptions";
import { EXIT, UsageError, parseOptions } from "./usageError";

export { EXIT, UsageError } from "./usageError";

const KNOWN = knownChartVersions.join(", ");

/** Where the Dify chart is published (the component's default `chart.repository`). */
const DEFAULT_CHART_REPOSITORY = "https://langgenius.github.io/dify-helm";

/** A pinned chart version: `3.9.1`, `3.10.0-beta.1`; not `latest`, `3.9` or `^3.9.1`. */
const PINNED = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Usage text of the `mirror` command. */
export const MIRROR_USAGE = `Usage: dify-plugin-registry mirror --to <registry/prefix> [options]

Copies the images a Dify chart version needs into a mirror (targets <prefix>/<path>:<tag>, as
pluginConnector.imageMirror expects them). Digests are preserved; images already there are skipped.

  --to <registry/prefix>     the mirror, e.g. harbor.example.com/dify-mirror (required)
  --chart-version <version>  helper images and python build bases of this chart version, pinned (e.g. 3.9.1); for
                             a version outside the built-in table (${KNOWN}), give --chart-values too
  --chart-values <file>      that version's own values.yaml (helm show values dify/dify --version X > values.yaml):
                             the images are read from it
  --include-aws-cli          also the aws-cli helper (needed with ECR)
  --github-builder           also the GitHub Actions builder's kaniko (plugin_connector.github.shaderImage)
  --all-chart-images         also every image the chart's values name; needs --chart-values
  --include-chart            also the Dify chart itself (needs --chart-version): fetched from its Helm repository
                             (index.yaml + the .tgz, digest checked) and pushed to <prefix>/charts/dify:<version> as
                             a Helm OCI artifact (helm pull oci://<prefix>/charts/dify --version <version>)
  --chart-repository <url>   the Helm repository to fetch it from (default ${DEFAULT_CHART_REPOSITORY}); its
                             login, if any, is read from --auth-file under its host, its CA from --ca-file <host>=<file>
  --image <ref>              an extra image (repeatable); alone, without --chart-version, only these
  --images-file <file>       extra images, one reference per line (# comments and blank lines skipped; repeatable)
  --platform <os/arch>       keep only these platforms of multi-platform images (repeatable; default all)
  --dry-run                  offline: print every source → target the mirror needs; contacts no registry
  --check-targets            compare with the mirror: per image "would copy" or "up to date"; writes nothing
  --auth-file <file>         docker config with the logins (default $DOCKER_CONFIG/config.json or ~/.docker/config.json)
  --concurrency <n>          transfers at once (default 16)
  --insecure [<host>]        speak plain HTTP to <host>, a source or the mirror; without <host>, to the --to
                             registry (repeatable)
  --ca-file [<host>=]<file>  trust this CA (PEM) for <host>, a source or the mirror; a bare <file> is for the --to
                             registry (repeatable)
  Relative paths are taken from the directory the command was run in (under npm run, npm's INIT_CWD).
  --progress-interval <s>    without a terminal (CI logs): a progress line every <s> seconds (default 5; 0 = none)
  -h, --help                 this text
`;

/** The parsed command line. */
export interface MirrorCommandOptions {
    readonly to: string;
    readonly chartVersion?: string;
    readonly includeAwsCli: boolean;
    readonly githubBuilder: boolean;
    readonly allChartImages: boolean;
    /** Also the chart itself, from `chartRepository`. */
    readonly includeChart: boolean;
    readonly chartRepository: string;
    readonly chartValues?: string;
    readonly images: readonly string[];
    readonly platforms: readonly string[];
    /** Offline: list the plan, contact no registry. */
    readonly dryRun: boolean;
    /** Online dry run: compare every image with the mirror, write nothing. */
    readonly checkTargets: boolean;
    /** Absolute (see `paths.ts`). */
    readonly authFile?: string;
    readonly concurrency?: number;
    readonly insecure: readonly string[];
    readonly caFiles: readonly string[];
    /** As given, and absolute (see `paths.ts`). */
    readonly imagesFiles: readonly { readonly given: string; readonly path: string }[];
    readonly progressIntervalMs: number;
    readonly help: boolean;
}

/** Parses `mirror` arguments; throws {@link UsageError} naming the problem. */
export function parseMirrorArgs(argv: readonly string[]): MirrorCommandOptions {
    const values = parseOptions(bareInsecure(argv), {
        to: { type: "string" },
        "chart-version": { type: "string" },
        "include-aws-cli": { type: "boolean", default: false },
        "github-builder": { type: "boolean", default: false },
        "all-chart-images": { type: "boolean", default: false },
        "include-chart": { type: "boolean", default: false },
        "chart-repository": { type: "string" },
        "chart-values": { type: "string" },
        image: { type: "string", multiple: true, default: [] },
        platform: { type: "string", multiple: true, default: [] },
        "dry-run": { type: "boolean", default: false },
        "check-targets": { type: "boolean", default: false },
        "auth-file": { type: "string" },
        concurrency: { type: "string" },
        insecure: { type: "string", multiple: true, default: [] },
        "ca-file": { type: "string", multiple: true, default: [] },
        "images-file": { type: "string", multiple: true, default: [] },
        "progress-interval": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
    });
    const options = {
        to: values.to as string,
        chartVersion: values["chart-version"] as string | undefined,
        includeAwsCli: values["include-aws-cli"] as boolean,
        githubBuilder: values["github-builder"] as boolean,
        allChartImages: values["all-chart-images"] as boolean,
        includeChart: values["include-chart"] as boolean,
        chartRepository: (values["chart-repository"] as string | undefined) ?? DEFAULT_CHART_REPOSITORY,
        chartValues: values["chart-values"] === undefined ? undefined : userPath(values["chart-values"] as string),
        images: values.image as string[],
        platforms: values.platform as string[],
        dryRun: values["dry-run"] as boolean,
        checkTargets: values["check-targets"] as boolean,
        authFile: values["auth-file"] as string | undefined,
        concurrency: values.concurrency === undefined ? undefined : Number(values.concurrency),
        insecure: values.insecure as string[],
        caFiles: values["ca-file"] as string[],
        imagesFiles: (values["images-file"] as string[]).map((file) => ({ given: file, path: userPath(file) })),
        progressIntervalMs: values["progress-interval"] === undefined ? 5000 : Number(values["progress-interval"]) * 1000,
        help: values.help as boolean,
    };
    if (options.help) return options;
    if (!options.to) throw new UsageError("--to <registry/prefix> is required");
    const chartImages = options.chartVersion !== undefined || options.chartValues !== undefined;
    if (!chartImages && options.images.length === 0 && options.imagesFiles.length === 0) {
        throw new UsageError("nothing to mirror: give --chart-version <version>, --image <ref> or --images-file <file>");
    }
    if (options.allChartImages && options.chartValues === undefined) {
        throw new UsageError("--all-chart-images needs --chart-values <values.yaml> (helm show values dify/dify --version X)");
    }
    for (const flag of ["include-aws-cli", "github-builder"] as const) {
        if (values[flag] && !chartImages) throw new UsageError(`--${flag} needs --chart-version (or --chart-values)`);
    }
    if (options.includeChart && options.chartVersion === undefined) {
        throw new UsageError("--include-chart needs --chart-version <version>: the chart version to mirror, pinned (e.g. 3.9.1)");
    }
    if (values["chart-repository"] !== undefined && !options.includeChart) {
        throw new UsageError("--chart-repository is where --include-chart fetches the chart from: give --include-chart too");
    }
    if (!/^https?:\/\/[^/\s]+/.test(options.chartRepository)) {
        throw new UsageError(
            `--chart-repository ${options.chartRepository}: must be an http(s):// URL of a Helm repository (its index.yaml)`,
        );
    }
    if (options.chartVersion !== undefined && !PINNED.test(options.chartVersion)) {
        throw new UsageError(`--chart-version ${options.chartVersion}: must be a pinned version (e.g. 3.9.1)`);
    }
    if (options.chartVersion !== undefined && options.chartValues === undefined && !isKnownChartVersion(options.chartVersion)) {
        throw new UsageError(
            `chart version ${options.chartVersion} is not in the built-in table (exact versions only: ${KNOWN}): give its own ` +
                `values with --chart-values <file> (helm show values dify/dify --version ${options.chartVersion} > values.yaml)`,
        );
    }
    if (
        options.concurrency !== undefined &&
        !(Number.isInteger(options.concurrency) && options.concurrency >= 1 && options.concurrency <= 256)
    ) {
        throw new UsageError(`--concurrency must be an integer from 1 to 256, got ${JSON.stringify(values.concurrency)}`);
    }
    if (!(Number.isFinite(options.progressIntervalMs) && options.progressIntervalMs >= 0)) {
        throw new UsageError(
            `--progress-interval must be a number of seconds (0 for none), got ${JSON.stringify(values["progress-interval"])}`,
        );
    }
    for (const platform of options.platforms) {
        try {
            parsePlatform(platform);
        } catch (e) {
            throw new UsageError(`--platform ${platform}: ${(e as Error).message}`);
        }
    }
    if (options.chartValues !== undefined) existingFile("--chart-values", values["chart-values"] as string);
    const authFile = options.authFile === undefined ? undefined : existingFile("--auth-file", options.authFile);
    return { ...options, authFile };
}

/** Runs the command; resolves with the exit status. `out` gets progress and the summary, `err` failures. */
export async function runMirrorCommand(argv: readonly string[], out: Output, err: Output): Promise<number> {
    let options: MirrorCommandOptions;
    let plan: ReturnType<typeof planMirror>;
    let registries: ReturnType<typeof registryConnections>;
    try {
        options = parseMirrorArgs(argv);
        if (options.help) {
            out.write(MIRROR_USAGE);
            return EXIT.ok;
        }
        const chart = options.chartVersion !== undefined || options.chartValues !== undefined;
        const sources = [
            ...(chart ? (await import("./chartSources")).chartSources(options) : []),
            ...options.images,
            ...options.imagesFiles.flatMap((file) => readImagesFile(file.given, file.path)),
        ];
        plan = planMirror(sources, options.to);
        registries = registryConnections(options.insecure, options.caFiles, options.to.split("/")[0]);
    } catch (e) {
        err.write(`dify-plugin-registry mirror: ${(e as Error).message}\nRun with --help for usage.\n`);
        return EXIT.usage;
    }
    const chartItem = options.includeChart
        ? {
              repository: options.chartRepository,
              chart: "dify",
              version: options.chartVersion!,
              target: `${options.to.replace(/\/+$/, "")}/charts/dify`,
          }
        : undefined;
    if (options.dryRun && !options.checkTargets) {
        // The plan only: what the chart version (and --image / --images-file) needs, from the table or the values file.
        out.write(formatPlan(plan, options.to));
        if (chartItem)
            out.write(
                `chart ${chartItem.repository} ${chartItem.chart} ${chartItem.version} → ${chartItem.target}:${chartTagOf(chartItem.version)}\n`,
            );
        return EXIT.ok;
    }
    const authFile = options.authFile ?? defaultAuthFile();
    out.write(
        `${options.checkTargets ? "checking" : "mirroring"} ${count(plan.length, "image")} into ${options.to}${authFile ? ` (logins from ${authFile})` : ""}\n`,
    );
    // Each failure is printed once, on stderr, when its image finishes; the end only counts them.
    const progress = progressPrinter(out, plan.length, { intervalMs: options.progressIntervalMs, err });
    let report: Awaited<ReturnType<typeof mirrorImages>>;
    try {
        report = await mirrorImages(plan, {
            auth: authFile,
            platforms: options.platforms,
            concurrency: options.concurrency,
            registries,
            dryRun: options.checkTargets,
            onProgress: progress.onProgress,
        });
    } catch (e) {
        progress.done();
        err.write(`dify-plugin-registry mirror: ${(e as Error).message}\n`);
        return EXIT.failed;
    }
    progress.done();
    out.write(`${formatSummary(report, options.checkTargets)}\n`);
    const chartOk = chartItem
        ? await mirrorTheChart(chartItem, { auth: authFile, registries, dryRun: options.checkTargets }, out, err)
        : true;
    if (!report.ok) {
        const one = report.failed === 1;
        err.write(
            `${report.failed} of ${count(report.results.length, "image")} failed; ${one ? "it is" : "each is"} named above with its reason\n`,
        );
        return EXIT.failed;
    }
    return chartOk ? EXIT.ok : EXIT.failed;
}

/** `+` in a version is `_` in its tag, as Helm writes it. */
function chartTagOf(version: string): string {
    return version.replace(/\+/g, "_");
}

/** `--include-chart`: one line for the chart (stdout), its failure on stderr; true when it is in the mirror (or would be copied). */
async function mirrorTheChart(
    item: { readonly repository: string; readonly chart: string; readonly version: string; readonly target: string },
    options: { readonly auth?: string; readonly registries: ReturnType<typeof registryConnections>; readonly dryRun: boolean },
    out: Output,
    err: Output,
): Promise<boolean> {
    // Loaded only here: the chart engine brings the YAML parser.
    const { mirrorChart } = await import("../engines/chartMirror");
    const result = await mirrorChart(item, options);
    const what = `chart ${result.source} → ${result.target}`;
    switch (result.status) {
        case "copied":
            out.write(`${what}: copied (${result.digest}, chart ${result.chartDigest})\n`);
            return true;
        case "skipped":
            out.write(`${what}: ${options.dryRun ? "up to date" : "skipped, already there"} (${result.digest})\n`);
            return true;
        case "would-copy":
            out.write(`${what}: would copy (chart ${result.chartDigest}); nothing was written\n`);
            return true;
        default:
            err.write(`${what}: failed: ${result.error?.message}\n`);
            return false;
    }
}
