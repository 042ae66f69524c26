/**
 * `pluginConnector.mirrorImages`: validation of the arguments, the mirror plan (what the `ImageMirror` resource
 * copies) and the pinning of the helper images and python build bases by the digests it records.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MirrorImagesArgs } from "./args";
import { chartImageSet } from "../engines/difyChart/images";
import type { ChartDefaults, HelperImages } from "../engines/difyChart/defaults";
import type { ConnectorImages } from "./values/imageKeys";
import { chartMirrorTarget, type ChartMirrorItem } from "../engines/chartMirror/mirrorChart";
import { planMirror } from "../engines/oci/imageSet";
import { parsePlatform } from "../engines/oci/platforms";
import type { MirroredImage, MirrorRegistrySettings } from "./resources/imageMirror/provider";
import { formatRemoteImage, parseRemoteImage } from "../engines/oci/reference";
import type { MirrorPlanItem } from "../engines/oci/types";
import { isPlainObject } from "./values/chartValues";
import { editGeneratorConf } from "../engines/difyChart/generatorConf";
import { type ArgumentProblems, hostPortProblem, isPlain } from "./validation";

/** What the component needs to create the mirror resource and pin images; part of the plan. */
export interface MirrorImagesPlan {
    readonly plan: readonly MirrorPlanItem[];
    /** Undefined = the plugin registry's login. */
    readonly auth?: pulumi.Input<string>;
    readonly platforms?: readonly string[];
    readonly concurrency?: number;
    readonly registries?: Readonly<Record<string, MirrorRegistrySettings>>;
    /** `mirrorImages.chart`: the chart version copied into `<imageMirror>/charts/<chart>` too. */
    readonly chart?: ChartMirrorItem;
}

/** What `chartImageSet` needs from the rest of the arguments. */
export interface MirrorImagesContext {
    /** The chart version's own defaults. */
    readonly defaults: ChartDefaults;
    readonly images?: Partial<HelperImages>;
    readonly pythonVersions?: Readonly<Record<string, string | null>>;
    readonly imageRepoType: string | undefined;
    /** The GitHub Actions builder is selected, and the `github.shaderImage` the user set, if any. */
    readonly githubBuilder: boolean;
    readonly githubShaderImage?: string;
    /** Images the component's own jobs pull from the mirror (the ECR token refresher's aws-cli). */
    readonly extraImages?: readonly string[];
    /** The chart version to copy as well (`mirrorImages.chart`, default `chart.fromMirror`), from its Helm repository. */
    readonly chart?: { readonly repository: string; readonly name: string; readonly version: string };
}

const KEYS = ["auth", "platforms", "chartValues", "chart", "concurrency", "registries"];
const ARG = "pluginConnector.mirrorImages";

/** Validates `pluginConnector.mirrorImages`, recording problems by argument path. Nothing is read or fetched. */
export function checkMirrorImagesArgs(args: unknown, imageMirror: string | undefined, problems: ArgumentProblems): void {
    if (!isPlainObject(args)) {
        problems.add(ARG, "must be an object: { auth?, platforms?, chartValues?, chart?, concurrency?, registries? }");
        return;
    }
    if (imageMirror === undefined) {
        problems.add(ARG, "needs pluginConnector.imageMirror: the registry/prefix to copy the images into");
    }
    const a = args as Record<string, unknown>;
    for (const key of Object.keys(a).filter((k) => !KEYS.includes(k))) {
        problems.add(`${ARG}.${key}`, `unknown setting; valid: ${KEYS.join(", ")}`);
    }
    if (a.auth !== undefined && isPlain(a.auth as pulumi.Input<string>)) {
        // The value is a secret: say what is wrong, never what it is.
        if (!dockerConfigShaped(a.auth)) {
            problems.add(`${ARG}.auth`, 'must be docker config JSON such as {"auths":{"<registry>":{"auth":"base64(user:password)"}}}');
        }
    }
    if (a.platforms !== undefined) {
        if (!Array.isArray(a.platforms) || a.platforms.length === 0) {
            problems.add(`${ARG}.platforms`, 'must be a non-empty list such as ["linux/amd64"]');
        } else {
            a.platforms.forEach((p, i) => {
                try {
                    parsePlatform(String(p));
                } catch (err) {
                    problems.add(`${ARG}.platforms[${i}]`, (err as Error).message);
                }
            });
        }
    }
    if (
        a.concurrency !== undefined &&
        !(Number.isInteger(a.concurrency) && (a.concurrency as number) >= 1 && (a.concurrency as number) <= 256)
    ) {
        problems.add(`${ARG}.concurrency`, `must be an integer from 1 to 256, got ${JSON.stringify(a.concurrency)}`);
    }
    if (a.chartValues !== undefined && !isPlainObject(a.chartValues)) {
        problems.add(`${ARG}.chartValues`, "must be the chart's values as an object (e.g. loadChartValues('values.yaml'))");
    }
    if (a.registries !== undefined) checkRegistries(a.registries, problems);
}

function dockerConfigShaped(auth: unknown): boolean {
    if (typeof auth !== "string") return false;
    try {
        const parsed = JSON.parse(auth) as { auths?: unknown };
        return isPlainObject(parsed) && isPlainObject(parsed.auths);
    } catch {
        return false;
    }
}

function checkRegistries(registries: unknown, problems: ArgumentProblems): void {
    if (!isPlainObject(registries)) {
        problems.add(`${ARG}.registries`, 'must map registry hosts to settings: { "10.0.0.5:5000": { insecure: true } }');
        return;
    }
    for (const [host, settings] of Object.entries(registries)) {
        const path = `${ARG}.registries.${host}`;
        const s = settings as Record<string, unknown>;
        const hostProblem = hostPortProblem(host) ?? registryKeyProblem(host, isPlainObject(s) && s.caFile !== undefined);
        if (hostProblem !== undefined) problems.add(path, hostProblem);
        if (!isPlainObject(s) || Object.keys(s).some((k) => k !== "insecure" && k !== "caFile")) {
            problems.add(path, "settings are { insecure?: boolean } or { caFile?: string }");
        } else if (s.insecure !== undefined && typeof s.insecure !== "boolean") {
            problems.add(`${path}.insecure`, "must be true or false");
        } else if (s.caFile !== undefined && (typeof s.caFile !== "string" || s.caFile === "")) {
            problems.add(`${path}.caFile`, "must be the path of a PEM file");
        } else if (s.insecure === true && s.caFile !== undefined) {
            problems.add(path, "insecure (plain HTTP) and caFile (TLS) exclude each other");
        }
    }
}

/**
 * Keys the copier would never find: it looks a registry's CA up by the address the HTTPS request goes to, lowercase
 * and without https's default port (`https://host:443` is `host`), and `insecure` by the host as the image reference
 * names it, also matched in lowercase. So `Harbor.example.com` is never matched, and `host:443` never gets its CA.
 */
function registryKeyProblem(host: string, hasCaFile: boolean): string | undefined {
    if (host !== host.toLowerCase()) {
        return `"${host}" has uppercase letters and would never be matched (registry hosts are looked up in lowercase); write it as "${host.toLowerCase()}"`;
    }
    if (hasCaFile && host.endsWith(":443")) {
        const bare = host.slice(0, -":443".length);
        return (
            `"${host}" would never get its caFile: the CA is looked up by the address HTTPS connects to, where the default ` +
            `port 443 is dropped; write the key as "${bare}" (it covers "${host}" in image references too)`
        );
    }
    return undefined;
}

/** The mirror plan for valid arguments; a source the copier cannot parse is recorded as a problem. */
export function planMirrorImages(
    args: MirrorImagesArgs,
    imageMirror: string,
    ctx: MirrorImagesContext,
    problems: ArgumentProblems,
): MirrorImagesPlan | undefined {
    try {
        const sources = chartImageSet({
            defaults: ctx.defaults,
            images: ctx.images,
            pythonVersions: ctx.pythonVersions,
            includeAwsCli: ctx.imageRepoType === "ecr",
            githubBuilder: ctx.githubBuilder,
            githubShaderImage: ctx.githubShaderImage,
            chartValues: args.chartValues,
        });
        const all = [...new Set([...sources, ...(ctx.extraImages ?? [])])];
        return {
            plan: planMirror(all, imageMirror),
            auth: args.auth,
            platforms: args.platforms,
            concurrency: args.concurrency,
            registries: args.registries,
            ...(ctx.chart
                ? {
                      chart: {
                          repository: ctx.chart.repository,
                          chart: ctx.chart.name,
                          version: ctx.chart.version,
                          target: chartMirrorTarget(imageMirror, ctx.chart.name),
                      },
                  }
                : {}),
        };
    } catch (err) {
        problems.add(ARG, (err as Error).message);
        return undefined;
    }
}

/** `ref@digest` when the mirror recorded `ref`'s target; unchanged otherwise (already pinned, or not mirrored). */
export function pinnedReference(ref: string, digests: ReadonlyMap<string, string>): string {
    if (ref.includes("@")) return ref;
    const digest = digests.get(formatRemoteImage(parseRemoteImage(ref)));
    return digest ? `${ref}@${digest}` : ref;
}

/** The mirrored helper images, GitHub kaniko and `generatorConf` with every image pinned by its recorded digest. */
export function pinImages(images: ConnectorImages, mirrored: readonly MirroredImage[] | undefined): ConnectorImages {
    const digests = new Map((mirrored ?? []).filter((i) => i.digest).map((i) => [formatRemoteImage(parseRemoteImage(i.target)), i.digest]));
    const pin = (ref: string) => pinnedReference(ref, digests);
    return {
        images: Object.fromEntries(Object.entries(images.images).map(([key, ref]) => [key, pin(ref)])),
        ...(images.githubShaderImage !== undefined ? { githubShaderImage: pin(images.githubShaderImage) } : {}),
        ...(images.generatorConf !== undefined ? { generatorConf: editGeneratorConf(images.generatorConf, { mapImage: pin }) } : {}),
    };
}
