"""The Dify plugin registry from Python: AWS ECR with IRSA, every helper image pulled from a mirror."""

import pulumi
import pulumi_dify_plugin_registry as dify

config = pulumi.Config()

plugins = dify.PluginRegistry(
    "dify",
    namespace="dify",
    # Exactly one registry block: docker, dockerhub, ecr, acr, aliyun or tcr.
    ecr=dify.EcrRegistryArgs(
        region="us-east-1",
        prefix="dify-plugins",
        account_id="123456789012",
        auth=dify.EcrRegistryAuthArgs(
            mode=dify.EcrRegistryAuthMode.IRSA,
            oidc_provider_arn=config.require("oidcProviderArn"),
        ),
        repositories=dify.EcrRegistryRepositoriesArgs(
            keep_last_images=30,
            image_tag_mutability=dify.EcrRegistryRepositoriesImageTagMutability.MUTABLE,
        ),
        build_context_bucket="dify-storage",
        tags={"team": "platform"},
    ),
    chart=dify.ChartArgs(
        version="3.9.1",
        values={"global": {"consoleApiDomain": "dify.example.com"}},
    ),
    plugin_connector=dify.PluginConnectorArgs(
        node_selector={"dify.example.com/pool": "plugins"},
        image_mirror="123456789012.dkr.ecr.us-east-1.amazonaws.com/dify-mirror",
    ),
)

pulumi.export("image_repo_prefix", plugins.image_repo_prefix)
pulumi.export("build_role_arn", plugins.registry_outputs.apply(lambda o: o["buildRoleArn"]))
pulumi.export("plugin_connector", plugins.plugin_connector_values)
