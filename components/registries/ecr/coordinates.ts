/**
 * Resolves where the registry is (partition, region, account, host, path) and the cluster's OIDC provider from
 * arguments that may be Outputs. Plain arguments give plain values, so previews and synth show the prefix; a cloud
 * lookup happens only when an argument cannot be derived from the others.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isPlain } from "../../validation";
import { EcrIrsaAuthArgs, EcrRegistryArgs } from "./args";
import { Coordinates, issuerHostPath, oidcProviderArn, parseOidcProviderArn, partitionOf, registryHost, splitPrefix } from "./partition";

/** The cluster's IAM OIDC provider as the IRSA trust policy names it. */
export interface OidcProvider {
    readonly arn: string;
    /** Issuer host and path, no scheme: the prefix of the `:sub` and `:aud` condition keys. */
    readonly issuer: string;
}

/** Coordinates from known values: the account comes from the arguments, or `undefined` when it must be looked up. */
function located(prefix: string, region: string | undefined, account: string | undefined, oidcArn: string | undefined) {
    const parts = splitPrefix(prefix);
    // Invalid Output values fail validation, which holds every child back; here they must only not throw.
    const r = region ?? parts.host?.region ?? "";
    const acct = account ?? parts.host?.account ?? (oidcArn ? parseOidcProviderArn(oidcArn)?.account : undefined);
    const at = (a: string): Coordinates => ({
        partition: partitionOf(r),
        region: r,
        account: a,
        host: registryHost(a, r),
        path: parts.path,
    });
    return { account: acct, at };
}

/**
 * Where the plugin images go. The account is `accountId`, else the one in the registry host, else the one of the IRSA
 * OIDC provider ARN, else the AWS provider's own account (`aws.getCallerIdentity`, the only lookup).
 */
export function resolveCoordinates(args: EcrRegistryArgs, parent: pulumi.Resource): pulumi.Input<Coordinates> {
    const oidcArn =
        args.auth?.mode === undefined || args.auth.mode === "irsa"
            ? (args.auth as EcrIrsaAuthArgs | undefined)?.oidcProviderArn
            : undefined;
    const callerAccount = () => aws.getCallerIdentityOutput({}, { parent }).accountId;
    if ([args.prefix, args.region, args.accountId, oidcArn].every((v) => isPlain(v))) {
        const where = located(
            args.prefix as string,
            args.region as string | undefined,
            args.accountId as string | undefined,
            oidcArn as string | undefined,
        );
        return where.account !== undefined ? where.at(where.account) : callerAccount().apply(where.at);
    }
    return pulumi
        .all([args.prefix, args.region, args.accountId, oidcArn])
        .apply(([prefix, region, account, arn]): pulumi.Output<Coordinates> => {
            const where = located(prefix, region, account, arn);
            return where.account !== undefined ? pulumi.output(where.at(where.account)) : callerAccount().apply(where.at);
        });
}

/**
 * The OIDC provider of the cluster: from its ARN (the issuer is in it), from the issuer URL (the ARN is built in the
 * registry's account and partition), or looked up from the cluster name (`aws.eks.getCluster`).
 */
export function resolveOidcProvider(
    auth: EcrIrsaAuthArgs,
    coordinates: pulumi.Input<Coordinates>,
    parent: pulumi.Resource,
): pulumi.Input<OidcProvider> {
    if (auth.oidcProviderArn !== undefined) {
        const fromArn = (arn: string): OidcProvider => ({ arn, issuer: parseOidcProviderArn(arn)?.issuer ?? "" });
        return isPlain(auth.oidcProviderArn) ? fromArn(auth.oidcProviderArn as string) : pulumi.output(auth.oidcProviderArn).apply(fromArn);
    }
    const issuerUrl: pulumi.Input<string> =
        auth.oidcIssuerUrl ?? aws.eks.getClusterOutput({ name: auth.clusterName! }, { parent }).identities[0].oidcs[0].issuer;
    const fromIssuer = (url: string, c: Coordinates): OidcProvider => ({
        arn: oidcProviderArn(c.partition, c.account, url),
        issuer: issuerHostPath(url),
    });
    if (isPlain(issuerUrl) && isPlain(coordinates)) {
        return fromIssuer(issuerUrl as string, coordinates as Coordinates);
    }
    return pulumi.all([issuerUrl, coordinates]).apply(([url, c]) => fromIssuer(url, c as Coordinates));
}

/** `fn(value)` now when `value` is plain, else when it resolves. Keeps plain values plain for previews. */
export function mapInput<T, U>(value: pulumi.Input<T>, fn: (v: T) => U): pulumi.Input<U> {
    return isPlain(value) ? fn(value as T) : (pulumi.output(value).apply((v) => fn(v as T)) as pulumi.Output<U>);
}
