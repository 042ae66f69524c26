/**
 * The dynamic provider behind {@link ImageMirror} (`resource.ts`): copies a mirror plan with `mirrorImages` during
 * `pulumi up` and records the digest every target tag points to.
 *
 * Pulumi serializes this object with everything it references into the state, and the engine's dynamic-provider
 * process runs it: no module state, no non-serializable captures (`test/mirror.provider.test.ts` runs the serialized
 * text against real registries).
 *
 * Previews make no network call: `check` validates the plan, `diff` compares it with the state. Whether an image
 * really needs bytes transferred is found out by `create`/`update` (a HEAD per image). `read` (`pulumi refresh`) does
 * a dry run and drops images whose target no longer matches its source, so the next `up` copies them again.
 */
import type * as pulumi from "@pulumi/pulumi";
import { mirrorChart } from "../../../engines/chartMirror";
import type { ChartMirrorItem } from "../../../engines/chartMirror";
import { mirrorImages } from "../../../engines/oci";
import type { ImageResult, MirrorPlanItem, MirrorReport } from "../../../engines/oci";

/** How one registry is reached (a subset of `RegistryConnection` that survives the state: plain values only). */
export interface MirrorRegistrySettings {
    /** Plain HTTP. */
    readonly insecure?: boolean;
    /** PEM file of an extra CA, read when the provider runs. */
    readonly caFile?: string;
}

/** Inputs of {@link imageMirrorProvider}. */
export interface ImageMirrorInputs {
    /** What to copy: `planMirror(…)`. */
    readonly plan: readonly MirrorPlanItem[];
    /** `os/arch[/variant]` kept from indexes; unset = every platform, indexes byte for byte. */
    readonly platforms?: readonly string[];
    /** Transfers at once. Default the library's (16). */
    readonly concurrency?: number;
    /** Per registry host. */
    readonly registries?: Readonly<Record<string, MirrorRegistrySettings>>;
    /** Docker config JSON with the logins (target, and private sources). Secret; never returned as an output. */
    readonly auth?: string;
    /** A chart version to copy too, from its Helm repository into `<target>:<version>` as a Helm OCI artifact. */
    readonly chart?: ChartMirrorItem;
}

/** The mirrored chart: `oci://<target>` at `version` (its tag), the manifest's digest and the package's. */
export interface MirroredChart {
    readonly target: string;
    readonly digest: string;
    readonly chartDigest: string;
}

/** One mirrored image: pin it as `<target>@<digest>`. */
export interface MirroredImage {
    readonly source: string;
    readonly target: string;
    readonly digest: string;
}

/** State of an image mirror: the inputs without `auth`, the mirrored images and what the last copy did. */
export interface ImageMirrorOutputs {
    readonly plan: readonly MirrorPlanItem[];
    readonly platforms?: readonly string[];
    readonly concurrency?: number;
    readonly registries?: Readonly<Record<string, MirrorRegistrySettings>>;
    readonly chart?: ChartMirrorItem;
    /** Every plan item, in plan order, with its target digest. */
    readonly images: readonly MirroredImage[];
    /** The chart, when `chart` was given. */
    readonly mirroredChart?: MirroredChart;
    /** Totals of the last copy (`create` or `update`). */
    readonly lastRun: { readonly copied: number; readonly skipped: number; readonly bytes: number };
}

/** The copy's report and the chart's result. */
interface CopyOutcome {
    readonly report: MirrorReport;
    readonly chart?: MirroredChart;
}

/** Copies `inputs.plan` (and the chart); throws one error naming every image that failed (nothing is recorded then). */
async function copyAll(inputs: ImageMirrorInputs, dryRun: boolean): Promise<CopyOutcome> {
    const registries: Record<string, MirrorRegistrySettings> = {};
    for (const [host, settings] of Object.entries(inputs.registries ?? {})) {
        registries[host] = { ...settings };
    }
    const report = await mirrorImages(inputs.plan, {
        auth: inputs.auth === undefined || inputs.auth === "" ? undefined : JSON.parse(inputs.auth),
        platforms: inputs.platforms,
        concurrency: inputs.concurrency,
        registries,
        dryRun,
    });
    if (!report.ok) {
        const failures = report.results
            .filter((r: ImageResult) => r.status === "failed")
            .map((r: ImageResult) => `  ${r.source} → ${r.target}: ${r.error?.message ?? "failed"}`);
        throw new Error(`image mirror: ${report.failed} of ${report.results.length} images failed:\n${failures.join("\n")}`);
    }
    if (inputs.chart === undefined) return { report };
    const chart = await mirrorChart(inputs.chart, {
        auth: inputs.auth === undefined || inputs.auth === "" ? undefined : JSON.parse(inputs.auth),
        registries,
        dryRun,
    });
    if (chart.status === "failed")
        throw new Error(`image mirror: the chart ${chart.source} → ${chart.target} failed: ${chart.error?.message}`);
    return { report, chart: { target: chart.target, digest: chart.digest ?? "", chartDigest: chart.chartDigest ?? "" } };
}

function outputsOf(inputs: ImageMirrorInputs, { report, chart }: CopyOutcome): ImageMirrorOutputs {
    const { auth: _auth, ...rest } = inputs;
    return {
        ...rest,
        ...(chart ? { mirroredChart: chart } : {}),
        images: report.results.map((r: ImageResult) => ({ source: r.source, target: r.target, digest: r.digest ?? "" })),
        lastRun: { copied: report.copied, skipped: report.skipped, bytes: report.bytes },
    };
}

function problemsOf(inputs: ImageMirrorInputs): pulumi.dynamic.CheckFailure[] {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!Array.isArray(inputs.plan)) {
        failures.push({ property: "plan", reason: "must be a list of { source, target }" });
    } else if (inputs.plan.some((item) => typeof item?.source !== "string" || typeof item?.target !== "string")) {
        failures.push({ property: "plan", reason: "every item needs a source and a target image reference" });
    }
    if (inputs.auth !== undefined && inputs.auth !== "") {
        try {
            const parsed = JSON.parse(inputs.auth);
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        } catch {
            // The value is secret: say what is wrong, never what it is.
            failures.push({ property: "auth", reason: 'must be docker config JSON: {"auths":{"<registry>":{"auth":"…"}}}' });
        }
    }
    return failures;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Mirrors a plan on create and update; previews and diffs work from the state alone. Delete leaves the images. */
export const imageMirrorProvider: pulumi.dynamic.ResourceProvider<ImageMirrorInputs, ImageMirrorOutputs> = {
    async check(_olds, news) {
        return { inputs: news, failures: problemsOf(news) };
    },

    async diff(_id, olds, news) {
        // The engine shows which inputs changed; the plan lists every source → target, so a preview names the images.
        const settingsChanged = (["plan", "platforms", "registries", "concurrency", "chart"] as const).some(
            (key) => !same(olds[key], news[key]),
        );
        // An image a refresh found stale (or that has no record) has no digest: copy it again.
        const recorded = new Set((olds.images ?? []).filter((i) => i.digest !== "").map((i) => `${i.source} ${i.target}`));
        const missing =
            (news.plan ?? []).some((item) => !recorded.has(`${item.source} ${item.target}`)) ||
            (news.chart !== undefined && !olds.mirroredChart?.digest);
        // Logins are not compared: new credentials alone copy nothing.
        return { changes: settingsChanged || missing, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs) {
        const outcome = await copyAll(inputs, false);
        return { id: `mirror-${outcome.report.results.length}-${Date.now().toString(36)}`, outs: outputsOf(inputs, outcome) };
    },

    async update(_id, _olds, news) {
        // Images already in place cost a HEAD each and are skipped.
        return { outs: outputsOf(news, await copyAll(news, false)) };
    },

    async read(id, props) {
        // props hold no auth: a refresh reads anonymously and so only works when both sides allow that; when it
        // cannot read, the state is kept as it is.
        try {
            const report = await mirrorImages(props!.plan, {
                platforms: props!.platforms,
                concurrency: props!.concurrency,
                registries: { ...props!.registries },
                dryRun: true,
            });
            // Only a definite answer counts: an image that could not be read (a login needed) keeps its record.
            const stale = new Set(report.results.filter((r) => r.status === "would-copy").map((r) => r.target));
            const images = props!.images.map((i) => (stale.has(i.target) ? { ...i, digest: "" } : i));
            return { id, props: { ...props!, images } };
        } catch {
            return { id, props: props! };
        }
    },

    async delete() {
        // Mirrored images stay: other installs may pull them, and registries garbage-collect by their own rules.
    },
};
