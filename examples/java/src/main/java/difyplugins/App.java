// The Dify plugin registry from Java: a private Harbor (a robot account that can push), every helper image and python
// build base copied into a mirror during `pulumi up` and pinned by digest (a cluster that cannot reach docker.io).
package difyplugins;

import com.dify.difypluginregistry.PluginRegistry;
import com.dify.difypluginregistry.PluginRegistryArgs;
import com.dify.difypluginregistry.enums.ChartKind;
import com.dify.difypluginregistry.inputs.ChartArgs;
import com.dify.difypluginregistry.inputs.DockerRegistryArgs;
import com.dify.difypluginregistry.inputs.MirrorImagesArgs;
import com.dify.difypluginregistry.inputs.MirrorRegistryArgs;
import com.dify.difypluginregistry.inputs.PluginConnectorArgs;
import com.dify.difypluginregistry.inputs.PushCheckArgs;
import com.pulumi.Context;
import com.pulumi.Pulumi;
import com.pulumi.core.Output;
import com.pulumi.core.TypeShape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

public class App {
    /** One registry host's settings in stack config: {"caFile": "<PEM file>"} or {"insecure": true}. */
    static class RegistrySettings {
        String caFile;
        Boolean insecure;
    }

    public static void main(String[] args) {
        Pulumi.run(App::stack);
    }

    static void stack(Context ctx) {
        var config = ctx.config();
        // Only for a chart version the component does not know: `helm show values dify/dify --version X > values-X.yaml`.
        var defaultValues = config.get("chartDefaultValuesFile").map(App::read).orElse(null);
        // The mirror's settings per registry host, the mirror's or a source's.
        Map<String, MirrorRegistryArgs> mirrorRegistries = config
            .getObject("mirrorRegistries", TypeShape.map(String.class, RegistrySettings.class))
            .orElse(Map.of())
            .entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> MirrorRegistryArgs.builder()
                .caFile(e.getValue().caFile)
                .insecure(e.getValue().insecure)
                .build()));

        var plugins = new PluginRegistry("dify", PluginRegistryArgs.builder()
            .namespace("dify")
            // Exactly one registry block: docker, dockerhub, ecr, acr, aliyun or tcr.
            .docker(DockerRegistryArgs.builder()
                .server(config.require("harborServer"))
                .prefix("dify/plugins")
                .username(config.require("harborRobot"))
                .password(config.requireSecret("harborRobotSecret"))
                .build())
            .chart(ChartArgs.builder()
                .version(config.get("chartVersion").orElse("3.9.1"))
                .repository(config.get("chartRepository").orElse(null)) // default https://langgenius.github.io/dify-helm
                .kind(ChartKind.Chart)
                .defaultValues(defaultValues)
                .values(Map.of("global", Map.of("consoleApiDomain", "dify.example.com")))
                .build())
            .pluginConnector(PluginConnectorArgs.builder()
                .imageMirror(config.require("imageMirror")) // harbor.internal.example.com/dify-mirror
                .mirrorImages(MirrorImagesArgs.builder()
                    // docker config JSON; default: the robot's login
                    .auth(config.get("mirrorAuth").map(Output::ofSecret).orElse(null))
                    .registries(mirrorRegistries)
                    .build())
                .build())
            // Before the chart: may the robot push and pull under the prefix? caFile: Harbor's private CA, if it has one.
            .pushCheck(PushCheckArgs.builder().caFile(config.get("harborCaFile").orElse(null)).build())
            .build());

        ctx.export("imageRepoPrefix", plugins.imageRepoPrefix());
        ctx.export("imageRepoType", plugins.imageRepoType());
        ctx.export("pluginConnector", plugins.pluginConnectorValues());
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
