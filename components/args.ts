import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { HelperImages } from "../engines/difyChart/defaults";
import { RegistryArgs } from "./registries";
import type { PushCheckArgs } from "./pushCheckArgs";

/** The Dify chart and how it is deployed. */
export interface DifyChartArgs {
    /**
     * Chart version, pinned (semver, no ranges): `3.9.1`. Any version deploys; the component sets only the
     * `plugin_connector` keys it owns and leaves the chart's own defaults alone.
     */
    readonly version: string;
    /**
     * Helm repository: the `http(s)://` URL of a classic Helm repository (the folder of its `index.yaml`: Nexus,
     * Artifactory, ChartMuseum, Harbor's ChartMuseum API). Default `https://langgenius.github.io/dify-helm`. Not with an
     * `oci://` chart, whose reference names its registry. With `pluginConnector.mirrorImages.chart`, the repository the
     * mirror copies the chart from.
     */
    readonly repository?: string;
    /**
     * Chart name in the repository (default `dify`), or an OCI reference without tag, `oci://<registry>/<path>`
     * (`oci://harbor.example.com/charts/dify`: Harbor, ACR, ECR, any OCI registry; `version` is the tag), as
     * `helm.v4.Chart` and `helm.v3.Release` take it.
     */
    readonly chart?: string;
    /** Username of the login to the chart's server (the Helm repository, or the OCI registry), with `password`. */
    readonly username?: string;
    /** Password or token of that login. Secret: kept secret in the state, previews and outputs however it is given. */
    readonly password?: pulumi.Input<string>;
    /**
     * The login as docker config JSON (`{"auths":{"<host>":{"auth":"base64(user:password)"}}}`, e.g. the docker config
     * that already logs in to the registry): the entry for the chart's server is used. Instead of `username` and
     * `password`. Secret.
     */
    readonly auth?: pulumi.Input<string>;
    /**
     * PEM file of the CA that signed the chart server's certificate (a private CA), read when Helm runs; a relative path
     * resolves against the program's working directory.
     */
    readonly caFile?: string;
    /**
     * Deploy the chart from `pluginConnector.imageMirror`, so that every artifact Dify needs comes from that one
     * registry: the chart becomes `oci://<imageMirror>/charts/<chart>` (`dify` unless `chart` names another), read
     * with the mirror's login (`pluginConnector.mirrorImages.auth`, else the plugin registry's, as the image mirror
     * uses) and CA (`mirrorImages.registries.<host>.caFile`) unless `username`/`auth` and `caFile` say otherwise. With
     * `mirrorImages`, the chart is copied there during `pulumi up` (`mirrorImages.chart` defaults to true); without it,
     * copy it yourself (`dify-plugin-registry mirror --chart-version <version> --include-chart`). Default false.
     */
    readonly fromMirror?: boolean;
    /** Helm release name. Default `dify`. */
    readonly releaseName?: string;
    /**
     * `"chart"` (default): `kubernetes.helm.v4.Chart`, rendered like `helm template` and applied object by object, so a
     * preview shows each object's diff; works with a provider that renders YAML to a directory.
     * `"release"`: `kubernetes.helm.v3.Release`, a real Helm release (`helm list`, `helm rollback`).
     */
    readonly kind?: "chart" | "release";
    /**
     * Any other chart values, deep-merged under the component's. `plugin_connector` keys the component manages are
     * rejected with the argument to use instead; everything else passes through.
     */
    readonly values?: Record<string, unknown>;
    /**
     * Path of a Dify values.yaml — the one an existing release was installed with (`helm get values dify -n dify -o
     * yaml > values.yaml`) — read when the program runs; a relative path resolves against the program's working
     * directory (the Pulumi project directory, or the folder of its `main` file; from other languages give an absolute
     * path). Merged under `values` and
     * under the component's keys: the `plugin_connector` keys the component owns (imageRepoSecret, imageRepoPrefix,
     * imageRepoType, ecrRegion, insecureImageRepo, customServiceAccount, runnerServiceAccount, nodeSelector, affinity,
     * tolerations, labels, gatewayImage, shaderImage, busyBoxImage, awsCliImage, generatorConf) are dropped from the
     * file with a warning naming the argument that sets each; every other value reaches the chart untouched. A missing
     * or unreadable file, or one that is not a YAML map, is an error naming the resolved path before anything is
     * created. Such a file holds passwords, so `secretValues` defaults to true with it.
     */
    readonly valuesFile?: string;
    /**
     * This chart version's own default values: YAML text exactly as `helm show values dify/dify --version <version>`
     * prints it, or that document already parsed. Read only where the version's defaults are needed — moving images to
     * `pluginConnector.imageMirror`, `mirrorImages`, or a `pluginConnector.python` change (`generatorConf` is one
     * string, written whole) — and then preferred over the component's exact-version table. Needed for those on a
     * version the table does not list (`knownChartVersions`).
     */
    readonly defaultValues?: string | Readonly<Record<string, unknown>>;
    /**
     * Treat `values` as one secret: the chart's values input (yours and the `plugin_connector` block the component
     * writes), the image mirror's plan and the `pluginConnectorValues` output are registered as secrets, so nothing in
     * them reaches the state, a preview or a diff in plain text (previews then show the values as `[secret]`). The stack
     * program sets it when `chart` or `pluginConnector` holds a secret in stack config. Values you give as secret
     * Outputs stay secret without it. Default false; true when `valuesFile` is given.
     */
    readonly secretValues?: boolean;
    /** Do not wait for the chart's workloads to become ready. Default false. */
    readonly skipAwait?: boolean;
    /** `kind: "release"` only: seconds Helm waits for the release. Default Helm's (300). */
    readonly timeout?: number;
}

/** The python generator (`generatorConf`). */
export interface PythonArgs {
    /** pip index mirror used while building plugins, e.g. `https://pypi.tuna.tsinghua.edu.cn/simple`. Default none. */
    readonly pipMirror?: string;
    /** Byte-compile plugin code at build time. Default the chart's (true). */
    readonly preCompile?: boolean;
    /**
     * Build base images by python version (`"3.12": "registry.example.com/python-base:3.12"`), merged over the chart
     * version's defaults. `null` removes a version.
     */
    readonly versions?: Readonly<Record<string, string | null>>;
}

/** Build and runner ServiceAccounts that already exist in the namespace. */
export interface ServiceAccountNames {
    /** `customServiceAccount`: plugin build (kaniko) pods. */
    readonly build?: string;
    /** `runnerServiceAccount`: plugin runner pods. */
    readonly runner?: string;
}

/**
 * `pluginConnector.mirrorImages`: fill `pluginConnector.imageMirror` during `pulumi up` (an `ImageMirror` dynamic
 * resource, a child of the component) and pin every helper image and python build base by the digest it got there.
 */
export interface MirrorImagesArgs {
    /**
     * Docker config JSON (`{"auths":{"<registry>":{"auth":"base64(user:password)"}}}`) with a login that can push to
     * the mirror, and pull from private sources. Secret. Default: the plugin registry's login (`image-repo-secret`),
     * which fits when the mirror is on the same registry.
     */
    readonly auth?: pulumi.Input<string>;
    /** `os/arch[/variant]` to keep from multi-platform images (`["linux/amd64"]`). Default: every platform. */
    readonly platforms?: readonly string[];
    /**
     * The chart's own values (`helm show values dify/dify --version X`, parsed, e.g. with `loadChartValues`): every
     * `<block>.image` they name is mirrored too (`allChartImages`), for air-gapped installs. Those are not pinned:
     * point `chart.values` at the mirror yourself.
     */
    readonly chartValues?: Record<string, unknown>;
    /**
     * Also copy the chart version from `chart.repository` into `<imageMirror>/charts/<chart>:<version>`, as the Helm OCI
     * artifact `helm push` writes (`helm pull oci://<imageMirror>/charts/dify --version <version>` reads it). Default
     * `chart.fromMirror`.
     */
    readonly chart?: boolean;
    /** Transfers at once. Default 16. */
    readonly concurrency?: number;
    /** Per registry host (the mirror's or a source's): `insecure: true` for plain HTTP, or `caFile` for an extra CA. */
    readonly registries?: Readonly<Record<string, { readonly insecure?: boolean; readonly caFile?: string }>>;
}

/** Settings of Dify's plugin connector beyond the registry. */
export interface PluginConnectorArgs {
    /** Node labels plugin pods must run on. */
    readonly nodeSelector?: Readonly<Record<string, string>>;
    /** Affinity of plugin pods. */
    readonly affinity?: k8s.types.input.core.v1.Affinity;
    /** Tolerations of plugin pods. */
    readonly tolerations?: readonly k8s.types.input.core.v1.Toleration[];
    /** Extra labels on plugin pods. */
    readonly labels?: Readonly<Record<string, string>>;
    /** Helper image overrides: each one sets its own key only; unset ones stay the chart's. */
    readonly images?: Partial<HelperImages>;
    /** The python generator. */
    readonly python?: PythonArgs;
    /**
     * Restricted networks: one `registry/prefix` that every helper image and python build base is pulled from instead of
     * docker.io / gcr.io. `nginx:1.29.4-alpine` becomes `<imageMirror>/nginx:1.29.4-alpine`,
     * `gcr.io/kaniko-project/executor:latest` becomes `<imageMirror>/kaniko-project/executor:latest`.
     */
    readonly imageMirror?: string;
    /** With `imageMirror`: copy the images into it during `pulumi up` and pin them by digest. */
    readonly mirrorImages?: MirrorImagesArgs;
    /** ServiceAccounts you created yourself. Registry kinds that create their own (ECR with IRSA) set these. */
    readonly serviceAccounts?: ServiceAccountNames;
}

/** Arguments of {@link DifyPluginRegistry}. */
export interface DifyPluginRegistryArgs {
    /** Namespace of the Dify release and `image-repo-secret`. Default `dify`. */
    readonly namespace?: string;
    /** Create the namespace. Default true; false when it exists already. */
    readonly createNamespace?: boolean;
    /** The registry plugin images are pushed to. */
    readonly registry: RegistryArgs;
    /** The Dify chart. */
    readonly chart: DifyChartArgs;
    /** Plugin connector settings. */
    readonly pluginConnector?: PluginConnectorArgs;
    /**
     * Prove during `pulumi up` — never in a preview — that the registry takes plugin images before Dify is deployed: a
     * resource the chart waits for (`RegistryPushCheck`) checks that the registry answers, the login is accepted, and it may push and
     * pull under the prefix (an upload is opened and cancelled; nothing is written). It fails the update with a message
     * naming the prefix, and runs again when the login or the prefix changes. `true`, or `{ auth, caFile }` to check
     * another login or trust a CA. Default: on for docker, dockerhub, acr, aliyun, tcr and ecr with
     * `auth.mode: accessKey`; off for ecr with `irsa` / `podIdentity`, whose build pods push with a role the deploying
     * machine does not hold (give `pushCheck.auth` to check a login anyway). See docs/troubleshooting.md.
     */
    readonly pushCheck?: boolean | PushCheckArgs;
}
