/**
 * dify-plugin-registry: the plugin image registry of Dify Enterprise on Kubernetes, as a Pulumi component.
 */
export { DifyPluginRegistry } from "./pluginRegistry";
export {
    DifyPluginRegistryArgs,
    DifyChartArgs,
    PluginConnectorArgs,
    PythonArgs,
    ServiceAccountNames,
    MirrorImagesArgs,
} from "./args";
export {
    ChartDefaults,
    HelperImages,
    PythonDefaults,
    ChartValuesError,
    defaultsForChartVersion,
    defaultsFromValues,
    knownChartVersions,
    parseChartValues,
} from "../engines/difyChart/defaults";
export { chartImageSet, allChartImages, loadChartValues, ChartImageSetOptions, ChartValuesImages } from "../engines/difyChart/images";
export { ConnectorImages } from "./values/imageKeys";
export {
    RegistryArgs,
    DockerRegistryArgs,
    DockerHubRegistryArgs,
    AcrRegistryArgs,
    AcrCredentialArgs,
    AliyunRegistryArgs,
    AliyunEnterpriseInstanceArgs,
    TcrRegistryArgs,
    EcrRegistryArgs,
    EcrAuthArgs,
    EcrIrsaAuthArgs,
    EcrPodIdentityAuthArgs,
    EcrAccessKeyAuthArgs,
    EcrRepositoryArgs,
    RegistryKind,
    RegistryContext,
    ValidationContext,
    ProvisionedRegistry,
    ServiceAccountSpec,
    registryTypes,
} from "./registries";
export { buildDockerConfig, dockerConfigJson, DockerConfig, RegistryLogin, DOCKER_HUB_AUTH_KEY } from "../engines/oci/dockerConfig";
export { editGeneratorConf, parseGeneratorConf, GeneratorConf, GeneratorConfEdit } from "../engines/difyChart/generatorConf";
export { buildPluginConnectorValues, PluginConnectorSettings } from "./values/pluginConnectorValues";
export { IMAGE_REPO_SECRET, MANAGED_PLUGIN_CONNECTOR_KEYS, buildChartValues, deepMerge } from "./values/chartValues";
export { mirroredImageReference, parseImageReference } from "../engines/oci/imageReference";
export { planPluginRegistry, PluginRegistryPlan, ChartPlan, GITHUB_BUILDER } from "./plan";
export {
    mirrorImages,
    planMirror,
    MirrorPlanItem,
    MirrorOptions,
    MirrorReport,
    ImageResult,
    ProgressEvent,
    RegistryConnection,
    RegistryError,
    AuthenticationError,
    DigestMismatchError,
    CertificateError,
} from "../engines/oci";
export { ImageMirror, ImageMirrorArgs, imageMirrorProvider, MirroredImage, MirrorRegistrySettings } from "./resources/imageMirror";
export { checkRegistry, CheckOptions, CheckReport, CheckStepResult } from "../engines/pushCheck";
export { RegistryPushCheck, RegistryPushCheckArgs } from "./resources/pushCheck";
export { PushCheckArgs } from "./pushCheckArgs";
