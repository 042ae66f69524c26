/**
 * Where kaniko reads a plugin's build context with IRSA or Pod Identity: Dify's own storage. With
 * `persistence.type: s3` that is `persistence.s3.bucketName`, so the build role reads it by default. Which keys of the
 * bucket the plugin connector writes build contexts under is not public (the plugin daemon keeps `plugin_packages/`,
 * `plugin/` and `assets/` there), so the grant is read-only on the bucket's objects: `s3:GetObject` on `<bucket>/*`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isPlainObject } from "../../values/chartValues";
import type { EcrRegistryArgs } from "./args";

/** Dify's storage as `chart.values.persistence` describes it. */
export interface DifyStorage {
    /** `persistence.type` is `s3`. */
    readonly s3: boolean;
    /** `persistence.s3.bucketName`, when given (a string, or an Output of one). */
    readonly bucket?: pulumi.Input<string>;
}

/** Reads `persistence.type` and `persistence.s3.bucketName` from the user's chart values. */
export function difyStorageOf(chartValues: Readonly<Record<string, unknown>>): DifyStorage {
    const persistence = isPlainObject(chartValues.persistence) ? chartValues.persistence : {};
    const s3 = isPlainObject(persistence.s3) ? persistence.s3 : {};
    const bucket = s3.bucketName as pulumi.Input<string> | undefined;
    return {
        s3: persistence.type === "s3",
        ...(bucket !== undefined && bucket !== "" ? { bucket } : {}),
    };
}

/** The bucket the build role reads: `registry.buildContextBucket`, else Dify's S3 bucket; undefined for other storage. */
export function buildContextBucketOf(
    args: EcrRegistryArgs,
    chartValues: Readonly<Record<string, unknown>>,
): pulumi.Input<string> | undefined {
    if (args.buildContextBucket !== undefined) {
        return args.buildContextBucket;
    }
    const storage = difyStorageOf(chartValues);
    return storage.s3 ? storage.bucket : undefined;
}
