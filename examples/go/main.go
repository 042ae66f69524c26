// The Dify plugin registry from Go: a private Harbor (a robot account that can push), every helper image and python
// build base copied into a mirror during `pulumi up` and pinned by digest (a cluster that cannot reach docker.io).
package main

import (
	"os"

	dify "github.com/OWNER/dify-plugin-registry/sdk/go/difypluginregistry"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		kind := dify.ChartKindChart
		chart := dify.ChartArgs{
			Version:    cfg.Get("chartVersion"),
			Repository: optional(cfg.Get("chartRepository")), // default https://langgenius.github.io/dify-helm
			Kind:       &kind,
			Values:     map[string]pulumi.Input{"global": pulumi.Map{"consoleApiDomain": pulumi.String("dify.example.com")}},
		}
		if chart.Version == "" {
			chart.Version = "3.9.1"
		}
		// Only for a chart version the component does not know: `helm show values dify/dify --version X > values-X.yaml`.
		if file := cfg.Get("chartDefaultValuesFile"); file != "" {
			text, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			chart.DefaultValues = string(text)
		}
		// Per registry host, the mirror's or a source's: {"<host>": {"caFile": "<PEM file>"}} or {"insecure": true}.
		var registries map[string]dify.MirrorRegistryArgs
		cfg.GetObject("mirrorRegistries", &registries)
		mirrorRegistries := map[string]dify.MirrorRegistryInput{}
		for host, r := range registries {
			mirrorRegistries[host] = r
		}

		plugins, err := dify.NewPluginRegistry(ctx, "dify", &dify.PluginRegistryArgs{
			Namespace: pulumi.StringRef("dify"),
			// Exactly one registry block: Docker, Dockerhub, Ecr, Acr, Aliyun or Tcr.
			Docker: &dify.DockerRegistryArgs{
				Server:   pulumi.String(cfg.Require("harborServer")),
				Prefix:   pulumi.String("dify/plugins"),
				Username: pulumi.String(cfg.Require("harborRobot")),
				Password: cfg.RequireSecret("harborRobotSecret"),
			},
			Chart: chart,
			PluginConnector: &dify.PluginConnectorArgs{
				ImageMirror: pulumi.StringRef(cfg.Require("imageMirror")), // harbor.internal.example.com/dify-mirror
				MirrorImages: &dify.MirrorImagesArgs{
					Auth:       cfg.GetSecret("mirrorAuth"), // docker config JSON; default: the robot's login
					Registries: mirrorRegistries,
				},
			},
			// Before the chart: may the robot push and pull under the prefix? CaFile: Harbor's private CA, if it has one.
			PushCheck: &dify.PushCheckArgs{CaFile: optional(cfg.Get("harborCaFile"))},
		})
		if err != nil {
			return err
		}
		ctx.Export("imageRepoPrefix", plugins.ImageRepoPrefix)
		ctx.Export("imageRepoType", plugins.ImageRepoType)
		ctx.Export("pluginConnector", plugins.PluginConnectorValues)
		return nil
	})
}

// optional is nil for an unset config value: the component's default applies.
func optional(value string) *string {
	if value == "" {
		return nil
	}
	return &value
}
