"""The Dify plugin registry from Python: a private Harbor (a robot account that can push), every helper image and
python build base copied into a mirror during `pulumi up` and pinned by digest (a cluster that cannot reach docker.io)."""

import pathlib

import pulumi
import pulumi_dify_plugin_registry as dify

config = pulumi.Config()
# Only for a chart version the component does not know: `helm show values dify/dify --version X > values-X.yaml`.
default_values_file = config.get("chartDefaultValuesFile")
# The mirror's settings per registry host, the mirror's or a source's: {"<host>": {"caFile": "<PEM file>"}} or
# {"<host>": {"insecure": true}} in stack config.
mirror_registries = {
    host: dify.MirrorRegistryArgs(ca_file=settings.get("caFile"), insecure=settings.get("insecure"))
    for host, settings in (config.get_object("mirrorRegistries") or {}).items()
}

plugins = dify.PluginRegistry(
    "dify",
    namespace="dify",
    # Exactly one registry block: docker, dockerhub, ecr, acr, aliyun or tcr.
    docker=dify.DockerRegistryArgs(
        server=config.require("harborServer"),
        prefix="dify/plugins",
        username=config.require("harborRobot"),
        password=config.require_secret("harborRobotSecret"),
    ),
    chart=dify.ChartArgs(
        version=config.get("chartVersion") or "3.9.1",
        repository=config.get("chartRepository"),  # default https://langgenius.github.io/dify-helm
        kind=dify.ChartKind.CHART,
        default_values=pathlib.Path(default_values_file).read_text() if default_values_file else None,
        values={"global": {"consoleApiDomain": "dify.example.com"}},
    ),
    plugin_connector=dify.PluginConnectorArgs(
        image_mirror=config.require("imageMirror"),  # harbor.internal.example.com/dify-mirror
        mirror_images=dify.MirrorImagesArgs(
            auth=config.get_secret("mirrorAuth"),  # docker config JSON; default: the robot's login
            registries=mirror_registries,
        ),
    ),
    # Before the chart: may the robot push and pull under the prefix? caFile: Harbor's private CA, if it has one.
    push_check=dify.PushCheckArgs(ca_file=config.get("harborCaFile")),
)

pulumi.export("image_repo_prefix", plugins.image_repo_prefix)
pulumi.export("image_repo_type", plugins.image_repo_type)
pulumi.export("plugin_connector", plugins.plugin_connector_values)
