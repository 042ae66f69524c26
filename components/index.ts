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
export { ChartDefaults, HelperImages, PythonDefaults, defaultsForChartVersion, knownSeries } from "./chartDefaults";
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
export { buildGeneratorConf, parseGeneratorConf } from "./values/generatorConf";
export { buildPluginConnectorValues, PluginConnectorSettings } from "./values/pluginConnectorValues";
export { IMAGE_REPO_SECRET, MANAGED_PLUGIN_CONNECTOR_KEYS, buildChartValues, deepMerge } from "./values/chartValues";
export { mirroredImageReference, parseImageReference } from "./imageReference";
export { planPluginRegistry, PluginRegistryPlan } from "./plan";
export {
    mirrorImages,
    planMirror,
    chartImageSet,
    allChartImages,
    loadChartValues,
    MirrorPlanItem,
    MirrorOptions,
    MirrorReport,
    ImageResult,
    ProgressEvent,
    ChartImageSetOptions,
    RegistryConnection,
    RegistryError,
    AuthenticationError,
    DigestMismatchError,
    ImageMirror,
    ImageMirrorArgs,
    MirroredImage,
} from "./mirror";
