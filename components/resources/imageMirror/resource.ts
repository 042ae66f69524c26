/**
 * `ImageMirror`: a Pulumi dynamic resource that copies a mirror plan during `pulumi up` and records the digest of every
 * target, so that images can be pinned by digest. See `provider.ts` for what previews, refreshes and deletes do.
 */
import * as pulumi from "@pulumi/pulumi";
import { DYNAMIC_HOST, PACKAGE_RESOURCE_TOKENS, packageResourceOptions, type ResourceHost } from "../host";
import {
    type ImageMirrorInputs,
    imageMirrorProvider,
    type MirroredChart,
    type MirroredImage,
    type MirrorRegistrySettings,
} from "./provider";
import type { ChartMirrorItem } from "../../../engines/chartMirror/mirrorChart";
import type { MirrorPlanItem } from "../../../engines/oci/types";

/** Arguments of {@link ImageMirror}. */
export interface ImageMirrorArgs {
    /** What to copy: `planMirror(chartImageSet(…), imageMirror)`. A changed plan copies again (only what is missing). */
    readonly plan: pulumi.Input<readonly MirrorPlanItem[]>;
    /**
     * Docker config JSON (`{"auths":{"<registry>":{"auth":"base64(user:password)"}}}`) with the login for the mirror
     * and for any private source. Wrapped in `pulumi.secret`; never an output.
     */
    readonly auth?: pulumi.Input<string>;
    /** `os/arch[/variant]` to keep from indexes; default every platform (indexes copied byte for byte). */
    readonly platforms?: pulumi.Input<readonly string[]>;
    /** Transfers at once (blobs and manifest requests). Default 16. */
    readonly concurrency?: pulumi.Input<number>;
    /** Per registry host (`harbor.example.com`, `10.0.0.5:5000`): `insecure` (plain HTTP) or `caFile` (an extra CA). */
    readonly registries?: pulumi.Input<Readonly<Record<string, MirrorRegistrySettings>>>;
    /** A chart version to copy too: from its Helm repository to `<target>:<version>`, a Helm OCI artifact. */
    readonly chart?: pulumi.Input<ChartMirrorItem>;
}

function imageMirrorInputs(args: ImageMirrorArgs): Record<keyof ImageMirrorInputs, unknown> & Record<string, unknown> {
    return {
        plan: args.plan,
        platforms: args.platforms,
        concurrency: args.concurrency,
        registries: args.registries,
        chart: args.chart,
        auth: args.auth === undefined ? undefined : pulumi.secret(args.auth),
        images: undefined,
        mirroredChart: undefined,
        lastRun: undefined,
    };
}

/** Copies images into a mirror on `pulumi up`; `images` holds each target's digest. Delete leaves the images in place. */
export class ImageMirror extends pulumi.dynamic.Resource {
    /** Every plan item with the digest its target tag points to: pin as `<target>@<digest>`. */
    declare public readonly images: pulumi.Output<MirroredImage[]>;
    /** The plan as copied. */
    declare public readonly plan: pulumi.Output<MirrorPlanItem[]>;
    /** Totals of the last copy: `{ copied, skipped, bytes }`. */
    declare public readonly lastRun: pulumi.Output<{ copied: number; skipped: number; bytes: number }>;
    /** The chart, when `chart` was given: its target and digests. */
    declare public readonly mirroredChart: pulumi.Output<MirroredChart | undefined>;

    constructor(name: string, args: ImageMirrorArgs, opts?: pulumi.CustomResourceOptions) {
        super(imageMirrorProvider, name, imageMirrorInputs(args), opts);
    }
}

/**
 * The same mirror as a resource of this package (`dify-plugin-registry:index:ImageMirror`), served by the package's
 * provider with {@link imageMirrorProvider}: what the component creates when the multi-language provider constructs
 * it (`../host.ts`).
 */
export class PackagedImageMirror extends pulumi.CustomResource {
    /** Every plan item with the digest its target tag points to: pin as `<target>@<digest>`. */
    declare public readonly images: pulumi.Output<MirroredImage[]>;
    /** The plan as copied. */
    declare public readonly plan: pulumi.Output<MirrorPlanItem[]>;
    /** Totals of the last copy: `{ copied, skipped, bytes }`. */
    declare public readonly lastRun: pulumi.Output<{ copied: number; skipped: number; bytes: number }>;

    constructor(name: string, args: ImageMirrorArgs, opts?: pulumi.CustomResourceOptions) {
        super(PACKAGE_RESOURCE_TOKENS.imageMirror, name, imageMirrorInputs(args), opts);
    }
}

/** An image mirror in the process `host` says: a dynamic resource, or the package's own. */
export function newImageMirror(
    name: string,
    args: ImageMirrorArgs,
    opts: pulumi.CustomResourceOptions,
    host: ResourceHost = DYNAMIC_HOST,
): ImageMirror | PackagedImageMirror {
    return host.kind === "package"
        ? new PackagedImageMirror(name, args, packageResourceOptions(host, opts))
        : new ImageMirror(name, args, opts);
}
