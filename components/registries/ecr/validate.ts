import { difyStorageOf } from "./buildContext";
import { longestCronGapMinutes } from "./cronInterval";
import { kubernetesScheduleProblem } from "./cronSchedule";
import * as pulumi from "@pulumi/pulumi";
import { InputChecks, isPlain, requireNonEmpty } from "../../validation";
import { ValidationContext } from "../registryKind";
import { imageReferenceProblem } from "../../values/imageKeys";
import { EcrRegistryArgs } from "./args";
import {
    accountProblem,
    bucketProblem,
    issuerHostPath,
    issuerUrlProblem,
    kmsKeyArnProblem,
    oidcProviderArnProblem,
    parseOidcProviderArn,
    partitionOf,
    prefixProblem,
    regionProblem,
    splitPrefix,
} from "./partition";

type Mode = "irsa" | "podIdentity" | "accessKey";
const AUTH_KEYS: Readonly<Record<Mode, readonly string[]>> = {
    irsa: ["mode", "oidcProviderArn", "oidcIssuerUrl", "clusterName"],
    podIdentity: ["mode", "clusterName"],
    accessKey: ["mode", "refresher", "schedule", "refresherImage", "refreshInterval", "externalSecretsApiVersion"],
};
const MODES = Object.keys(AUTH_KEYS) as Mode[];

/** Records every problem with an `ecr` registry's arguments (paths start with `registry.`); creates nothing. */
export function validateEcr(args: EcrRegistryArgs, checks: InputChecks, context: ValidationContext): void {
    checkLocation(args, checks);
    const mode = (args.auth?.mode ?? "irsa") as Mode;
    if (!MODES.includes(mode)) {
        checks.problems.add(
            "registry.auth.mode",
            `unknown auth mode ${JSON.stringify(mode)}; valid modes: "irsa" (the default), "podIdentity", "accessKey"`,
        );
    } else {
        checkAuth(args, mode, checks);
    }
    if (args.imageRepoType !== undefined && args.imageRepoType !== "docker" && args.imageRepoType !== "ecr") {
        checks.problems.add("registry.imageRepoType", `must be "docker" (the default) or "ecr", got ${JSON.stringify(args.imageRepoType)}`);
    }
    checkRepositories(args, checks);
    checkServiceAccounts(args, checks);
    if (args.buildContextBucket !== undefined) {
        checks.check("registry.buildContextBucket", args.buildContextBucket, bucketProblem);
    }
    if (mode !== "accessKey") {
        checkBuildContext(args, mode, checks, context);
    }
    checkTags("registry.tags", args.tags, checks);
    warnings(args, mode, context);
}

/** Checks `values` together: now when every one is plain, when they resolve otherwise. */
function checkTogether(
    checks: InputChecks,
    path: string,
    values: readonly pulumi.Input<unknown>[],
    validate: (v: unknown[]) => string | undefined,
): void {
    const all: pulumi.Input<unknown[]> = values.every((v) => isPlain(v)) ? [...values] : pulumi.all(values as pulumi.Input<unknown>[]);
    checks.check(path, all, (v) => validate(v ?? []));
}

/** The region the registry is in: `region`, else the one of the host in `prefix` (undefined while either is invalid). */
export function effectiveRegion(region: unknown, prefix: unknown): string | undefined {
    if (region !== undefined) {
        return regionProblem(region) === undefined ? (region as string) : undefined;
    }
    return typeof prefix === "string" && prefixProblem(prefix) === undefined ? splitPrefix(prefix).host?.region : undefined;
}

function checkLocation(args: EcrRegistryArgs, checks: InputChecks): void {
    checks.check("registry.prefix", args.prefix, prefixProblem);
    if (args.region !== undefined) {
        checks.check("registry.region", args.region, regionProblem);
        checkTogether(checks, "registry.region", [args.region, args.prefix], ([region, prefix]) => {
            const host = typeof prefix === "string" && prefixProblem(prefix) === undefined ? splitPrefix(prefix).host : undefined;
            return host && regionProblem(region) === undefined && host.region !== region
                ? `"${region}" does not match the region "${host.region}" of the registry host in registry.prefix (${host.name}); give one region`
                : undefined;
        });
    } else {
        checks.check("registry.region", args.prefix, (prefix) =>
            typeof prefix === "string" && prefixProblem(prefix) === undefined && splitPrefix(prefix).host === undefined
                ? "is required: the registry's AWS region such as `us-east-1` or `cn-north-1` (or write registry.prefix behind the registry host)"
                : undefined,
        );
    }
    if (args.accountId !== undefined) {
        checks.check("registry.accountId", args.accountId, accountProblem);
        checkTogether(checks, "registry.accountId", [args.accountId, args.prefix], ([account, prefix]) => {
            const host = typeof prefix === "string" && prefixProblem(prefix) === undefined ? splitPrefix(prefix).host : undefined;
            return host && host.account !== account
                ? `"${account}" does not match the account ${host.account} of the registry host in registry.prefix`
                : undefined;
        });
    }
}

function checkAuth(args: EcrRegistryArgs, mode: Mode, checks: InputChecks): void {
    const auth = (args.auth ?? {}) as Record<string, unknown>;
    const problems = checks.problems;
    for (const key of Object.keys(auth)) {
        if (!AUTH_KEYS[mode].includes(key) && auth[key] !== undefined) {
            problems.add(`registry.auth.${key}`, `is not used with auth.mode "${mode}"; keys of this mode: ${AUTH_KEYS[mode].join(", ")}`);
        }
    }
    if (mode === "irsa") {
        checkIrsa(args, auth, checks);
    } else if (mode === "podIdentity") {
        checks.check(
            "registry.auth.clusterName",
            auth.clusterName as pulumi.Input<string>,
            requireNonEmpty("the EKS cluster name (Pod Identity associations are created in it)"),
        );
    } else {
        checkAccessKey(args, auth, checks);
    }
}

function checkIrsa(args: EcrRegistryArgs, auth: Record<string, unknown>, checks: InputChecks): void {
    const arn = auth.oidcProviderArn as pulumi.Input<string> | undefined;
    const url = auth.oidcIssuerUrl as pulumi.Input<string> | undefined;
    const cluster = auth.clusterName as pulumi.Input<string> | undefined;
    if (arn === undefined && url === undefined && cluster === undefined) {
        checks.problems.add(
            "registry.auth",
            'mode "irsa" needs the cluster\'s OIDC provider: give auth.oidcProviderArn and/or auth.oidcIssuerUrl, or auth.clusterName to look it up',
        );
        return;
    }
    if (cluster !== undefined && (arn !== undefined || url !== undefined)) {
        checks.problems.add(
            "registry.auth.clusterName",
            "is only used to look the OIDC issuer up; remove it, or remove auth.oidcProviderArn / auth.oidcIssuerUrl",
        );
    } else if (cluster !== undefined) {
        checks.check("registry.auth.clusterName", cluster, requireNonEmpty("the EKS cluster name"));
    }
    if (url !== undefined) {
        checks.check("registry.auth.oidcIssuerUrl", url, issuerUrlProblem);
    }
    if (arn === undefined) {
        return;
    }
    checks.check("registry.auth.oidcProviderArn", arn, oidcProviderArnProblem);
    checkTogether(checks, "registry.auth.oidcProviderArn", [arn, url, args.region, args.prefix], ([a, u, region, prefix]) => {
        const parsed = typeof a === "string" && oidcProviderArnProblem(a) === undefined ? parseOidcProviderArn(a) : undefined;
        if (!parsed) {
            return undefined;
        }
        if (typeof u === "string" && issuerUrlProblem(u) === undefined && issuerHostPath(u) !== parsed.issuer) {
            return `names the issuer "${parsed.issuer}" but auth.oidcIssuerUrl is "${u}"; they must be the same provider`;
        }
        const r = effectiveRegion(region, prefix);
        return r !== undefined && partitionOf(r) !== parsed.partition
            ? `is in partition ${parsed.partition} but the registry region ${r} is in ${partitionOf(r)}`
            : undefined;
    });
}

function checkAccessKey(args: EcrRegistryArgs, auth: Record<string, unknown>, checks: InputChecks): void {
    const problems = checks.problems;
    const refresher = auth.refresher ?? "cronJob";
    if (refresher !== "cronJob" && refresher !== "externalSecrets") {
        problems.add("registry.auth.refresher", `must be "cronJob" (the default) or "externalSecrets", got ${JSON.stringify(refresher)}`);
    }
    const scheduleProblem = auth.schedule === undefined ? undefined : cronScheduleProblem(auth.schedule);
    if (auth.schedule !== undefined && (refresher !== "cronJob" || scheduleProblem !== undefined)) {
        problems.add(
            "registry.auth.schedule",
            refresher !== "cronJob"
                ? 'is only used with refresher "cronJob"'
                : `${JSON.stringify(auth.schedule)} is not a cron schedule Kubernetes accepts (${scheduleProblem}); ${CRON_GRAMMAR}`,
        );
    } else if (auth.schedule !== undefined) {
        // The same rule as refreshInterval: a login must be renewed before its 12 hours run out.
        const gap = longestCronGapMinutes(auth.schedule as string);
        if (gap === undefined || gap >= TOKEN_LIFETIME_MINUTES) {
            problems.add(
                "registry.auth.schedule",
                `${JSON.stringify(auth.schedule)} ${gap === undefined ? "never runs" : `leaves up to ${formatMinutes(gap)} between runs`}; ` +
                    'ECR logins last 12 hours, so it must run more often than every 12 hours, e.g. "0 */6 * * *"',
            );
        }
    }
    if (auth.refresherImage !== undefined) {
        const reason = refresher !== "cronJob" ? undefined : imageReferenceProblem(auth.refresherImage);
        if (refresher !== "cronJob") {
            problems.add("registry.auth.refresherImage", 'is only used with refresher "cronJob"');
        } else if (reason !== undefined) {
            problems.add(
                "registry.auth.refresherImage",
                `must be an image reference with the AWS CLI v2 and bash, such as \`amazon/aws-cli:2.37.0\`: ${reason}`,
            );
        }
    }
    for (const key of ["refreshInterval", "externalSecretsApiVersion"]) {
        if (auth[key] !== undefined && refresher !== "externalSecrets") {
            problems.add(`registry.auth.${key}`, 'is only used with refresher "externalSecrets"');
        }
    }
    if (auth.refreshInterval !== undefined && refresher === "externalSecrets") {
        const seconds = durationSeconds(auth.refreshInterval);
        if (seconds === undefined || seconds <= 0 || seconds >= 12 * 3600) {
            problems.add(
                "registry.auth.refreshInterval",
                `${JSON.stringify(auth.refreshInterval)} must be a duration under 12h (ECR tokens expire after 12 hours), e.g. "6h"`,
            );
        }
    }
    const api = auth.externalSecretsApiVersion;
    if (api !== undefined && api !== "external-secrets.io/v1" && api !== "external-secrets.io/v1beta1") {
        problems.add(
            "registry.auth.externalSecretsApiVersion",
            `must be "external-secrets.io/v1" (the default) or "external-secrets.io/v1beta1"`,
        );
    }
    const why = "build pods get no AWS role in accessKey mode";
    if (args.imageRepoType === "ecr") {
        problems.add(
            "registry.imageRepoType",
            `"ecr" makes Dify call the ECR API from build pods, which have no AWS credentials in accessKey mode; use "docker" (the default)`,
        );
    }
    if (args.serviceAccounts !== undefined) {
        problems.add(
            "registry.serviceAccounts",
            `is only for irsa and podIdentity (${why}); name existing ones with pluginConnector.serviceAccounts`,
        );
    }
    if (args.buildContextBucket !== undefined) {
        problems.add("registry.buildContextBucket", `is only for irsa and podIdentity (${why}, so there is nothing to grant it to)`);
    }
}

function checkRepositories(args: EcrRegistryArgs, checks: InputChecks): void {
    const r = args.repositories ?? {};
    const problems = checks.problems;
    const keep = r.keepLastImages;
    if (keep !== undefined && (!Number.isInteger(keep) || keep < 1 || keep > 10000)) {
        problems.add(
            "registry.repositories.keepLastImages",
            `must be a whole number of images from 1 to 10000, got ${JSON.stringify(keep)}`,
        );
    }
    if (r.imageTagMutability !== undefined && r.imageTagMutability !== "MUTABLE" && r.imageTagMutability !== "IMMUTABLE") {
        problems.add(
            "registry.repositories.imageTagMutability",
            `must be "MUTABLE" (the default) or "IMMUTABLE", got ${JSON.stringify(r.imageTagMutability)}`,
        );
    }
    const encryption = r.encryption ?? "AES256";
    if (encryption !== "AES256" && encryption !== "KMS") {
        problems.add("registry.repositories.encryption", `must be "AES256" (the default) or "KMS", got ${JSON.stringify(encryption)}`);
    } else if (encryption === "KMS" && r.kmsKeyArn === undefined) {
        problems.add("registry.repositories.kmsKeyArn", 'is required with encryption "KMS": the ARN of the customer managed key');
    } else if (encryption === "AES256" && r.kmsKeyArn !== undefined) {
        problems.add("registry.repositories.kmsKeyArn", 'is only used with encryption "KMS"; set encryption: "KMS" or remove it');
    } else if (r.kmsKeyArn !== undefined) {
        checks.check("registry.repositories.kmsKeyArn", r.kmsKeyArn, kmsKeyArnProblem);
    }
    if (r.scanOnPush !== undefined && typeof r.scanOnPush !== "boolean") {
        problems.add("registry.repositories.scanOnPush", "must be true or false");
    }
    checkTags("registry.repositories.tags", r.tags, checks);
}

function checkServiceAccounts(args: EcrRegistryArgs, checks: InputChecks): void {
    const names = args.serviceAccounts ?? {};
    for (const role of ["build", "runner"] as const) {
        const name = names[role];
        if (name !== undefined && !isDns1123Subdomain(name)) {
            checks.problems.add(
                `registry.serviceAccounts.${role}`,
                `${JSON.stringify(name)} is not a DNS-1123 name (ServiceAccount names: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253)`,
            );
        }
    }
    if (names.build !== undefined && names.build === names.runner) {
        checks.problems.add(
            "registry.serviceAccounts.runner",
            `must differ from the build ServiceAccount ("${names.build}"): each is bound to its own role`,
        );
    }
}

function checkTags(path: string, tags: unknown, checks: InputChecks): void {
    if (tags === undefined) {
        return;
    }
    if (typeof tags !== "object" || tags === null || Array.isArray(tags)) {
        checks.problems.add(path, "must be a map of tag names to string values");
        return;
    }
    for (const [key, value] of Object.entries(tags)) {
        if (key.length === 0 || key.length > 128 || typeof value !== "string" || value.length > 256) {
            checks.problems.add(`${path}.${key}`, "AWS tags are a key of 1-128 characters with a string value of at most 256");
        } else if (key.toLowerCase().startsWith("aws:")) {
            checks.problems.add(
                `${path}.${key}`,
                `tag keys starting with "aws:" (in any case) are reserved for AWS and refused by IAM and ECR; use another prefix, e.g. "${key.slice(4) || "team"}"`,
            );
        }
    }
}

/**
 * kaniko reads the build context from Dify's storage: an explicit bucket must be that bucket, and S3 storage whose
 * bucket is not in chart.values leaves the build role without read access (say so: every build would be denied).
 */
function checkBuildContext(args: EcrRegistryArgs, mode: Mode, checks: InputChecks, context: ValidationContext): void {
    const storage = difyStorageOf(context.chartValues);
    if (!storage.s3) {
        return;
    }
    if (storage.bucket !== undefined) {
        // The build role's S3 grant is built from this name: the same rules as registry.buildContextBucket.
        checks.check(CHART_BUCKET, storage.bucket, bucketProblem);
    }
    if (storage.bucket !== undefined && args.buildContextBucket !== undefined) {
        checkTogether(checks, "registry.buildContextBucket", [args.buildContextBucket, storage.bucket], ([explicit, dify]) =>
            explicit === dify
                ? undefined
                : `${JSON.stringify(explicit)} differs from chart.values.persistence.s3.bucketName ${JSON.stringify(dify)}, the ` +
                  "bucket Dify keeps plugin packages in and kaniko reads build contexts from; remove buildContextBucket (it defaults " +
                  "to that bucket) or make the two equal",
        );
    } else if (storage.bucket === undefined && args.buildContextBucket === undefined) {
        context.warn(
            `registry.auth.mode "${mode}" with chart.values.persistence.type "s3" but no persistence.s3.bucketName in chart.values: ` +
                "the build role gets no read access to the bucket kaniko reads build contexts from, so plugin builds would be denied. " +
                "Set chart.values.persistence.s3.bucketName, or registry.buildContextBucket to that bucket.",
        );
    }
}

/** The chart value the build role's default S3 grant is read from. */
const CHART_BUCKET = "chart.values.persistence.s3.bucketName";

function warnings(args: EcrRegistryArgs, mode: Mode, context: ValidationContext): void {
    const persistence = context.chartValues.persistence as { s3?: { endpoint?: unknown } } | undefined;
    const endpoint = persistence?.s3?.endpoint;
    if (mode === "irsa" && typeof endpoint === "string" && endpoint.trim() !== "") {
        context.warn(
            `registry.auth.mode "irsa" with chart.values.persistence.s3.endpoint "${endpoint}": a custom S3 endpoint breaks web-identity ` +
                'credentials in kaniko (STS answers HTTP 405), so plugin builds fail. For AWS S3 set persistence.s3.endpoint to "".',
        );
    }
    if (args.imageRepoType === "ecr") {
        context.warn(
            'registry.imageRepoType "ecr": Dify creates the plugin repositories through the ECR API, and creation templates only apply to ' +
                "repositories ECR creates on push, so they get no lifecycle policy, encryption or tags from registry.repositories.",
        );
    }
}

/** How long an ECR login (authorization token) lasts. */
const TOKEN_LIFETIME_MINUTES = 12 * 60;

function formatMinutes(minutes: number): string {
    return minutes % 60 === 0 ? `${minutes / 60}h` : `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}

/** A Kubernetes object name (DNS-1123 subdomain), as ServiceAccount names are. */
export function isDns1123Subdomain(name: unknown): boolean {
    return typeof name === "string" && name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

/** What Kubernetes accepts as a CronJob schedule, for messages. */
const CRON_GRAMMAR =
    "give 5 fields — minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or JAN-DEC) day-of-week (0-6 or SUN-SAT) — " +
    'each `*`, `?`, N, N-M or a list of them with an optional /step, or @hourly, @daily or `@every <duration>`; e.g. "0 */6 * * *"';

/** Why Kubernetes would refuse `schedule` as a CronJob schedule (robfig/cron v3, no TZ=), or undefined. */
export function cronScheduleProblem(schedule: unknown): string | undefined {
    return typeof schedule === "string" ? kubernetesScheduleProblem(schedule) : `expected a string, got ${typeof schedule}`;
}

/** A schedule Kubernetes accepts for a CronJob (see {@link cronScheduleProblem}). */
export function isCronSchedule(schedule: unknown): boolean {
    return cronScheduleProblem(schedule) === undefined;
}

/** Seconds of a Go duration such as `6h`, `90m`, `1h30m`; undefined when it is not one. */
export function durationSeconds(duration: unknown): number | undefined {
    const match = typeof duration === "string" ? /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration) : null;
    if (!match || duration === "") {
        return undefined;
    }
    return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}
