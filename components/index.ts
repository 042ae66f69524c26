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
} from "./chartDefaults";
export { chartImageSet, allChartImages, loadChartValues, ChartImageSetOptions, ChartValuesImages } from "./chartImages";
export { ConnectorImages } from "./connectorImages";
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
export { buildDockerConfig, dockerConfigJson, DockerConfig, RegistryLogin, DOCKER_HUB_AUTH_KEY } from "./dockerConfig";
export { editGeneratorConf, parseGeneratorConf, GeneratorConf, GeneratorConfEdit } from "./values/generatorConf";
export { buildPluginConnectorValues, PluginConnectorSettings } from "./values/pluginConnectorValues";
export { IMAGE_REPO_SECRET, MANAGED_PLUGIN_CONNECTOR_KEYS, buildChartValues, deepMerge } from "./values/chartValues";
export { mirroredImageReference, parseImageReference } from "./imageReference";
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
} from "./mirror";
export { ImageMirror, ImageMirrorArgs, imageMirrorProvider, MirroredImage, MirrorRegistrySettings } from "./imageMirror";
export {
    checkRegistry,
    CheckOptions,
    CheckReport,
    CheckStepResult,
    RegistryPushCheck,
    RegistryPushCheckArgs,
    PushCheckArgs,
} from "./registryCheck";
