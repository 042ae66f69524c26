"""A Python program's secret chart values (issue 19, item 3; test/engine/construct.engine.test.ts): a value set with
`pulumi config set --secret` inside chart.values. Construct makes the chart's values one secret (chart.secretValues)."""

import pulumi
import pulumi_dify_plugin_registry as dify

config = pulumi.Config()
dify.PluginRegistry(
    "dify",
    namespace="dify",
    docker=dify.DockerRegistryArgs(
        server=config.require("server"),
        prefix="dify/plugins",
        username=config.require("username"),
        password=config.require_secret("password"),
    ),
    chart=dify.ChartArgs(
        version=config.require("chartVersion"),
        repository=config.require("chartRepository"),
        kind=dify.ChartKind.RELEASE,
        skip_await=True,
        values={"plugin_connector": {"pluginDr": {"gcInterval": config.require_secret("gcInterval")}}},
    ),
    push_check=dify.PushCheckArgs(enabled=False),
)
