/**
 * AWS partitions, regions, ECR registry hosts, ARNs and OIDC issuers: pure functions, no Pulumi.
 *
 * China regions (`cn-north-1`, `cn-northwest-1`) live in the `aws-cn` partition: ARNs start `arn:aws-cn:` and registry
 * hosts end in `.amazonaws.com.cn`. GovCloud (`us-gov-*`) is `aws-us-gov` with `.amazonaws.com` hosts.
 */

export type Partition = "aws" | "aws-cn" | "aws-us-gov";

/** Where the plugin images go, fully resolved. */
export interface Coordinates {
    readonly partition: Partition;
    readonly region: string;
    /** 12-digit AWS account id that owns the registry. */
    readonly account: string;
    /** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]` */
    readonly host: string;
    /** Repository path prefix under the host, e.g. `dify-plugins` (no leading or trailing slash). */
    readonly path: string;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
// Isolated partitions (aws-iso*) have their own DNS suffixes and no public ECR endpoints we could test against.
const ISOLATED = /^(?:us-iso|us-isob|us-isof|eu-isoe)-/;
const ACCOUNT = /^\d{12}$/;
const REGISTRY_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?)$/;
const OIDC_PROVIDER_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):oidc-provider\/(.+)$/;
// ECR repository names: lowercase path components separated by '/', each with single '.', '_' or '-' separators.
const ECR_PATH = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
/** Dify appends `/<plugin>-<hash>` to the prefix; ECR repository names are at most 256 characters. */
export const MAX_PREFIX_LENGTH = 200;

/** Why `region` is not an AWS region name such as `us-east-1` or `cn-north-1`, or undefined. */
export function regionProblem(region: unknown): string | undefined {
    if (typeof region !== "string" || region.length === 0) {
        return "is required: an AWS region such as `us-east-1` or `cn-north-1`";
    }
    if (!REGION.test(region)) {
        return `"${region}" is not an AWS region name; expected e.g. \`us-east-1\`, \`eu-central-1\`, \`cn-northwest-1\``;
    }
    if (ISOLATED.test(region)) {
        return `"${region}" is in an isolated AWS partition (aws-iso*), which this component does not support`;
    }
    return undefined;
}

/** The partition of a (valid) region. */
export function partitionOf(region: string): Partition {
    if (region.startsWith("cn-")) {
        return "aws-cn";
    }
    return region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** The public DNS suffix of a partition's service endpoints. */
export function dnsSuffix(partition: Partition): string {
    return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

/** `<account>.dkr.ecr.<region>.amazonaws.com` (`.amazonaws.com.cn` in China). */
export function registryHost(account: string, region: string): string {
    return `${account}.dkr.ecr.${region}.${dnsSuffix(partitionOf(region))}`;
}

/** Why `account` is not a 12-digit AWS account id, or undefined. */
export function accountProblem(account: unknown): string | undefined {
    return typeof account === "string" && ACCOUNT.test(account)
        ? undefined
        : `${JSON.stringify(account)} is not an AWS account id (12 digits, e.g. \`123456789012\`)`;
}

/** `registry.prefix` split into an optional registry host and the repository path. */
export interface PrefixParts {
    /** The host when the prefix was written as `<host>/<path>`. */
    readonly host?: { readonly name: string; readonly account: string; readonly region: string };
    readonly path: string;
}

/** Splits `prefix`; a first segment with a dot is a host. Call only with a prefix that passed {@link prefixProblem}. */
export function splitPrefix(prefix: string): PrefixParts {
    const slash = prefix.indexOf("/");
    const first = slash < 0 ? prefix : prefix.slice(0, slash);
    const match = REGISTRY_HOST.exec(first);
    if (!match || slash < 0) {
        return { path: prefix };
    }
    return { host: { name: first, account: match[1], region: match[2] }, path: prefix.slice(slash + 1) };
}

/**
 * Why `prefix` is not an ECR repository prefix: a path such as `dify-plugins` or `team/dify`, or the same behind the
 * registry host (`123456789012.dkr.ecr.us-east-1.amazonaws.com/dify-plugins`). Undefined when it is one.
 */
export function prefixProblem(prefix: unknown): string | undefined {
    const example = "a repository path such as `dify-plugins` or `team/dify-plugins`";
    if (typeof prefix !== "string" || prefix.length === 0) {
        return `is required: ${example}`;
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(prefix)) {
        return `"${prefix}" has a scheme; give ${example} (optionally behind the registry host), no https://`;
    }
    const slash = prefix.indexOf("/");
    const first = slash < 0 ? prefix : prefix.slice(0, slash);
    let path = prefix;
    if (looksLikeHost(first)) {
        const host = REGISTRY_HOST.exec(first);
        if (!host) {
            return `"${first}" is not an ECR registry host (\`<account>.dkr.ecr.<region>.amazonaws.com\`, \`.amazonaws.com.cn\` in China)`;
        }
        const region = regionProblem(host[2]);
        if (region !== undefined) {
            return `the registry host "${first}": ${region}`;
        }
        if (host[3] !== dnsSuffix(partitionOf(host[2]))) {
            return `the registry host "${first}" must end in .${dnsSuffix(partitionOf(host[2]))} for region ${host[2]}`;
        }
        if (slash < 0 || slash === prefix.length - 1) {
            return `"${prefix}" has no repository path after the registry host; e.g. \`${first}/dify-plugins\``;
        }
        path = prefix.slice(slash + 1);
    }
    return pathProblem(path);
}

// `dify.plugins` is a valid repository name segment, `harbor.example.com` is a mistake: only host-like segments are hosts.
function looksLikeHost(segment: string): boolean {
    return segment.includes(".amazonaws.") || /:\d+$/.test(segment) || /\.(?:com|cn|net|org|io)$/.test(segment);
}

function pathProblem(path: string): string | undefined {
    if (/[A-Z]/.test(path)) {
        return `"${path}" has uppercase letters; ECR repository names are lowercase`;
    }
    if (path.startsWith("/") || path.endsWith("/")) {
        return `"${path}" has a leading or trailing slash; write it as \`team/dify-plugins\``;
    }
    if (path.includes("..") || path.includes("//")) {
        return `"${path}" has an empty or '..' path segment`;
    }
    if (path.includes(":") || path.includes("@")) {
        return `"${path}" has a tag or digest; give the repository path only (Dify appends \`/<plugin>:<tag>\`)`;
    }
    if (!ECR_PATH.test(path)) {
        return `"${path}" is not an ECR repository path: lowercase letters and digits, single '.', '_' or '-' between them, '/' between segments`;
    }
    if (path.length > MAX_PREFIX_LENGTH) {
        return `"${path}" is longer than ${MAX_PREFIX_LENGTH} characters; ECR repository names (prefix + plugin) are at most 256`;
    }
    return undefined;
}

/** The parts of an IAM OIDC provider ARN, or undefined when `arn` is not one. */
export function parseOidcProviderArn(arn: string): { partition: Partition; account: string; issuer: string } | undefined {
    const match = OIDC_PROVIDER_ARN.exec(arn);
    return match ? { partition: match[1] as Partition, account: match[2], issuer: match[3] } : undefined;
}

/** Why `arn` is not an IAM OIDC provider ARN, or undefined. */
export function oidcProviderArnProblem(arn: unknown): string | undefined {
    if (typeof arn === "string" && parseOidcProviderArn(arn) && !arn.endsWith("/")) {
        return undefined;
    }
    return (
        `${JSON.stringify(arn)} is not an IAM OIDC provider ARN; expected ` +
        "`arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE` (`arn:aws-cn:` in China)"
    );
}

/** Why `url` is not an OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<id>`), or undefined. */
export function issuerUrlProblem(url: unknown): string | undefined {
    const example = "`https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE` (the cluster's `identity.oidc.issuer`)";
    if (typeof url !== "string" || url.length === 0) {
        return `is required: ${example}`;
    }
    if (!url.startsWith("https://")) {
        return `${JSON.stringify(url)} must start with https://; expected ${example}`;
    }
    const rest = issuerHostPath(url);
    if (rest.length === 0 || /\s/.test(rest)) {
        return `${JSON.stringify(url)} is not an issuer URL; expected ${example}`;
    }
    return undefined;
}

/** The issuer as IAM condition keys and provider ARNs write it: no scheme, no trailing slash. */
export function issuerHostPath(issuer: string): string {
    return issuer.replace(/^https:\/\//, "").replace(/\/+$/, "");
}

/** `arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>` */
export function oidcProviderArn(partition: Partition, account: string, issuer: string): string {
    return `arn:${partition}:iam::${account}:oidc-provider/${issuerHostPath(issuer)}`;
}

/** ARN of the repositories under the prefix: `arn:<partition>:ecr:<region>:<account>:repository/<path>/*`. */
export function prefixRepositoriesArn(c: Coordinates): string {
    return `arn:${c.partition}:ecr:${c.region}:${c.account}:repository/${c.path}/*`;
}

/** Why `arn` is not a KMS key ARN in the registry's partition, or undefined. */
export function kmsKeyArnProblem(arn: unknown): string | undefined {
    return typeof arn === "string" && /^arn:(aws|aws-cn|aws-us-gov):kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(arn)
        ? undefined
        : `${JSON.stringify(arn)} is not a KMS key ARN; expected \`arn:aws:kms:us-east-1:123456789012:key/<key id>\``;
}

/**
 * Why `bucket` is not an S3 general purpose bucket name, or undefined. AWS's naming rules: 3-63 characters of lowercase
 * letters, digits, '.' and '-', starting and ending with a letter or digit, no two adjacent periods, not an IP address,
 * not starting with `xn--`, `sthree-` or `amzn-s3-demo-`, not ending with `-s3alias`, `--ol-s3`, `.mrap`, `--x-s3` or
 * `--table-s3` (the reserved forms). One check for every key a bucket comes from.
 */
export function bucketProblem(bucket: unknown): string | undefined {
    const rules =
        "an S3 bucket name is 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit " +
        "(no wildcard, ARN or s3://), e.g. `dify-storage`";
    if (typeof bucket !== "string") {
        return `must be a string: ${rules}`;
    }
    const why = bucketNameViolation(bucket);
    return why === undefined ? undefined : `${JSON.stringify(bucket)} is not an S3 bucket name (${why}); ${rules}`;
}

function bucketNameViolation(bucket: string): string | undefined {
    if (bucket.length < 3 || bucket.length > 63) return `${bucket.length} characters`;
    if (!/^[a-z0-9.-]+$/.test(bucket)) return "only lowercase letters, digits, '.' and '-' are allowed";
    if (!/^[a-z0-9].*[a-z0-9]$/.test(bucket)) return "it must start and end with a letter or digit";
    if (bucket.includes("..")) return "two adjacent periods";
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) return "it is formatted as an IP address";
    const prefix = ["xn--", "sthree-", "amzn-s3-demo-"].find((p) => bucket.startsWith(p));
    if (prefix !== undefined) return `the prefix ${prefix} is reserved`;
    const suffix = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].find((p) => bucket.endsWith(p));
    if (suffix !== undefined) return `the suffix ${suffix} is reserved`;
    return undefined;
}
