/**
 * accessKey mode with External Secrets Operator: an `ECRAuthorizationToken` generator (reading the access-key Secret)
 * and an `ExternalSecret` that writes image-repo-secret from it and refreshes it well inside the 12-hour token life.
 * ESO owns the Secret; Pulumi holds only the two custom resources, never a token.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGE_REPO_SECRET } from "../../values/chartValues";
import { mapInput } from "./coordinates";
import { Coordinates } from "./partition";
import { ACCESS_KEY_ID_KEY, CREDENTIALS_SECRET, REFRESHER_LABELS, SECRET_ACCESS_KEY_KEY } from "./refresherSpec";

/** API version of ESO's `ECRAuthorizationToken` generator. */
export const GENERATOR_API_VERSION = "generators.external-secrets.io/v1alpha1";
/** Name of the generator object the ExternalSecret takes its token from. */
export const GENERATOR_NAME = "image-repo-secret-ecr-token";

/** The generator's spec: a token for `region`, with the access key from its Secret. */
export function ecrTokenGeneratorSpec(region: string): object {
    return {
        region,
        auth: {
            secretRef: {
                accessKeyIDSecretRef: { name: CREDENTIALS_SECRET, key: ACCESS_KEY_ID_KEY },
                secretAccessKeySecretRef: { name: CREDENTIALS_SECRET, key: SECRET_ACCESS_KEY_KEY },
            },
        },
    };
}

/**
 * The docker config as an ESO template (engine v2): the generator outputs `username` and `password`; the login is
 * stored under the registry host, as the component writes it for the other kinds.
 */
export function dockerConfigTemplate(host: string): string {
    return `{"auths":{"${host}":{"auth":"{{ printf "%s:%s" .username .password | b64enc }}"}}}`;
}

/** The ExternalSecret's spec: image-repo-secret, typed for kubelet, with the same config under both keys. */
export function imageRepoExternalSecretSpec(host: string, refreshInterval: string): object {
    const template = dockerConfigTemplate(host);
    return {
        refreshInterval,
        target: {
            name: IMAGE_REPO_SECRET,
            creationPolicy: "Owner",
            template: {
                type: "kubernetes.io/dockerconfigjson",
                engineVersion: "v2",
                data: { ".dockerconfigjson": template, "config.json": template },
            },
        },
        dataFrom: [
            { sourceRef: { generatorRef: { apiVersion: GENERATOR_API_VERSION, kind: "ECRAuthorizationToken", name: GENERATOR_NAME } } },
        ],
    };
}

/** The ESO objects that keep image-repo-secret holding a fresh ECR login. */
export interface ExternalSecretRefresher {
    readonly generator: k8s.apiextensions.CustomResource;
    readonly externalSecret: k8s.apiextensions.CustomResource;
    readonly resources: readonly pulumi.Resource[];
}

/** Creates the generator (after the access-key Secret) and the ExternalSecret that writes image-repo-secret from it. */
export function createExternalSecretRefresher(
    ctx: {
        readonly name: string;
        readonly namespace: pulumi.Input<string>;
        readonly coordinates: pulumi.Input<Coordinates>;
        readonly apiVersion: string;
        readonly refreshInterval: string;
        readonly credentials: k8s.core.v1.Secret;
    },
    opts: pulumi.CustomResourceOptions,
): ExternalSecretRefresher {
    const labels = { ...REFRESHER_LABELS, "app.kubernetes.io/component": "ecr-token-generator" };
    const generator = new k8s.apiextensions.CustomResource(
        `${ctx.name}-ecr-token`,
        {
            apiVersion: GENERATOR_API_VERSION,
            kind: "ECRAuthorizationToken",
            metadata: { name: GENERATOR_NAME, namespace: ctx.namespace, labels },
            spec: mapInput(ctx.coordinates, (c) => ecrTokenGeneratorSpec(c.region)),
        },
        { ...opts, dependsOn: [ctx.credentials] },
    );
    const externalSecret = new k8s.apiextensions.CustomResource(
        `${ctx.name}-image-repo-secret`,
        {
            apiVersion: ctx.apiVersion,
            kind: "ExternalSecret",
            metadata: {
                name: IMAGE_REPO_SECRET,
                namespace: ctx.namespace,
                labels: { ...REFRESHER_LABELS, "app.kubernetes.io/component": "image-repo-secret" },
            },
            spec: mapInput(ctx.coordinates, (c) => imageRepoExternalSecretSpec(c.host, ctx.refreshInterval)),
        },
        { parent: opts.parent, dependsOn: [generator] },
    );
    return { generator, externalSecret, resources: [generator, externalSecret] };
}
