import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistryArgs } from "./args";
import { passDependsOnToChildren } from "./childOptions";
import { deployDifyChart } from "./helmDeployment";
import { type Eventually, outputOf, whenKnown } from "./inputs";
import type { MirroredImage } from "./resources/imageMirror/provider";
import { DYNAMIC_HOST, type ResourceHost } from "./resources/host";
import { newImageMirror } from "./resources/imageMirror/resource";
import { pinImages } from "./mirrorImagesPlan";
import { planPluginRegistry } from "./plan";
import { ProvisionedRegistry, ServiceAccountSpec } from "./registries";
import { registerPushCheck } from "./resources/pushCheck/register";
import { buildChartValues, IMAGE_REPO_SECRET, Values } from "./values/chartValues";
import { buildPluginConnectorValues } from "./values/pluginConnectorValues";

/**
 * Gives Dify Enterprise its plugin image registry: provisions the chosen registry, writes `image-repo-secret`
 * (`kubernetes.io/dockerconfigjson` with both `.dockerconfigjson` and `config.json`), creates the build and runner
 * ServiceAccounts the registry kind needs, and deploys the Dify chart with the `plugin_connector` keys it owns (the
 * registry, ServiceAccounts, scheduling; helper images and `generatorConf` only when moved or changed).
 *
 * Arguments are validated before anything is registered. Pass a Kubernetes provider through `providers` to target a
 * cluster other than the ambient one.
 */
export class DifyPluginRegistry extends pulumi.ComponentResource {
    /**
     * The type token the component registers under. A subclass may state its own: the multi-language provider
     * (`provider/`) registers the same component under its package's token, `dify-plugin-registry:index:PluginRegistry`.
     */
    protected static readonly pulumiType: string = "dify:index:PluginRegistry";
    /**
     * Where the push check, the image mirror and the TCR resources run (`resources/host.ts`). A TypeScript program
     * gets dynamic resources; the multi-language provider states `package` (its own custom resources) in its subclass.
     */
    protected static readonly resourceHost: ResourceHost = DYNAMIC_HOST;
    /** Namespace of the release and the Secret. */
    public readonly namespace!: pulumi.Output<string>;
    /** Always `image-repo-secret`. */
    public readonly secretName!: pulumi.Output<string>;
    /** `plugin_connector.imageRepoPrefix`. */
    public readonly imageRepoPrefix!: pulumi.Output<string>;
    /** `plugin_connector.imageRepoType`. */
    public readonly imageRepoType!: pulumi.Output<"docker" | "ecr">;
    /** The `plugin_connector` block as passed to the chart. Holds no credentials. */
    public readonly pluginConnectorValues!: pulumi.Output<Values>;
    /** Outputs specific to the registry kind (e.g. role ARNs for ECR, the login server for ACR). No secrets. */
    public readonly registryOutputs!: pulumi.Output<Record<string, unknown>>;
    /** The Dify chart: a `helm.v4.Chart` or, with `chart.kind: "release"`, a `helm.v3.Release`. */
    public readonly chart!: k8s.helm.v4.Chart | k8s.helm.v3.Release;

    constructor(name: string, args: DifyPluginRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before the component itself is registered: bad input leaves nothing behind.
        const plan = planPluginRegistry(name, args);
        super(new.target.pulumiType, name, {}, passDependsOnToChildren(new.target.pulumiType, name, opts));
        const resourceHost = new.target.resourceHost;
        for (const warning of plan.warnings) {
            void pulumi.log.warn(warning, this);
        }

        // Every child takes the namespace as an input: guarding it holds all of them back until deferred checks pass.
        const guardedNamespace = plan.checks.guard(plan.namespace);
        const childOpts = { parent: this };

        const ns = plan.createNamespace
            ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: guardedNamespace } }, childOpts)
            : undefined;
        const namespace = ns ? ns.metadata.name : pulumi.output(guardedNamespace);

        const registry: ProvisionedRegistry = plan.registryKind.provision(plan.registry, {
            name,
            parent: this,
            namespace,
            // A getter: the gate costs Outputs, and kinds that create no resources never ask for it.
            get dependsOn() {
                return plan.checks.gate();
            },
            awsCliImage: plan.awsCliImage,
            chartValues: plan.chart.values ?? {},
            secretChartValues: plan.chart.secretValues,
            resourceHost,
        });

        const serviceAccounts = this.serviceAccounts(name, plan.serviceAccounts, registry, namespace, childOpts);

        const secret = registry.dockerConfigJson
            ? new k8s.core.v1.Secret(
                  `${name}-image-repo-secret`,
                  {
                      metadata: { name: IMAGE_REPO_SECRET, namespace },
                      type: "kubernetes.io/dockerconfigjson",
                      // kubelet pulls with .dockerconfigjson; kaniko reads config.json from the same Secret.
                      // dockerConfigJson is secret (the RegistryKind contract), and so is everything derived from it.
                      data: registry.dockerConfigJson.apply((json) => {
                          const encoded = Buffer.from(json, "utf8").toString("base64");
                          return { ".dockerconfigjson": encoded, "config.json": encoded };
                      }),
                  },
                  childOpts,
              )
            : undefined;

        // pushCheck: the login must be able to push under the prefix before Dify is deployed.
        const pushCheck = registerPushCheck(name, plan.pushCheck, registry, {
            parent: this,
            dependsOn: [...(secret ? [secret] : []), ...(registry.dependencies ?? [])],
            host: resourceHost,
        });

        // pluginConnector.mirrorImages: fill the mirror first, then pin what the chart pulls by the digests recorded.
        const imageMirror = plan.mirror
            ? newImageMirror(
                  `${name}-image-mirror`,
                  {
                      plan: secretIf(plan.chart.secretValues, plan.mirror.plan),
                      auth: plan.mirror.auth ?? registry.dockerConfigJson,
                      platforms: plan.mirror.platforms,
                      concurrency: plan.mirror.concurrency,
                      registries: plan.mirror.registries && secretIf(plan.chart.secretValues, plan.mirror.registries),
                      ...(plan.mirror.chart ? { chart: plan.mirror.chart } : {}),
                  },
                  { parent: this, dependsOn: plan.checks.gate() },
                  resourceHost,
              )
            : undefined;
        // One path for plain and Output inputs: known now, the values are plain and previews show them.
        const pluginConnectorValues: Eventually<Values> = whenKnown(
            [registry.imageRepoPrefix, registry.ecrRegion, imageMirror?.images] as const,
            (imageRepoPrefix: string, ecrRegion: string | undefined, mirrored: readonly MirroredImage[] | undefined) =>
                buildPluginConnectorValues({
                    imageRepoPrefix,
                    imageRepoType: registry.imageRepoType,
                    ecrRegion,
                    insecure: registry.insecure,
                    buildServiceAccount: serviceAccounts.build,
                    runnerServiceAccount: serviceAccounts.runner,
                    ...plan.scheduling,
                    images: plan.mirror ? pinImages(plan.connectorImages, mirrored) : plan.connectorImages,
                }),
        );
        const builtValues = whenKnown([pluginConnectorValues] as const, (connector: Values) =>
            buildChartValues(plan.chart.values, connector),
        );
        // chart.secretValues: the values hold a secret somewhere (a stack config path marked secret): all of them are one.
        const chartValues = secretIf(plan.chart.secretValues, builtValues);

        this.chart = deployDifyChart(
            name,
            plan.chart,
            namespace,
            chartValues,
            {
                parent: this,
                dependsOn: [
                    ...(ns ? [ns] : []),
                    ...(secret ? [secret] : []),
                    ...serviceAccounts.resources,
                    ...(registry.dependencies ?? []),
                    ...(imageMirror ? [imageMirror] : []),
                    ...(pushCheck ? [pushCheck] : []),
                ],
            },
            registry.dockerConfigJson,
        );

        this.namespace = namespace;
        this.secretName = pulumi.output(IMAGE_REPO_SECRET);
        this.imageRepoPrefix = pulumi.output(registry.imageRepoPrefix);
        this.imageRepoType = pulumi.output(registry.imageRepoType);
        this.pluginConnectorValues = outputOf(secretIf(plan.chart.secretValues, pluginConnectorValues));
        this.registryOutputs = outputOf<Record<string, unknown>>(registry.outputs ?? {});
        // pluginConnectorValues stays a field but is not registered: the same block is already in state as the chart's
        // input, and serializing it a second time was the component's largest cost (see README, Benchmark).
        // Plain values where they are known: each Output registered costs the engine a serialization round.
        this.registerOutputs({
            namespace: this.namespace,
            secretName: IMAGE_REPO_SECRET,
            imageRepoPrefix: registry.imageRepoPrefix,
            imageRepoType: registry.imageRepoType,
            registryOutputs: registry.outputs ?? {},
        });
    }

    /** ServiceAccounts the registry kind asks for; names the user gave are used as they are. */
    private serviceAccounts(
        name: string,
        given: { readonly build?: string; readonly runner?: string },
        registry: ProvisionedRegistry,
        namespace: pulumi.Input<string>,
        opts: pulumi.CustomResourceOptions,
    ): { build?: string; runner?: string; resources: k8s.core.v1.ServiceAccount[] } {
        const resources: k8s.core.v1.ServiceAccount[] = [];
        const create = (role: "build" | "runner", spec: ServiceAccountSpec | undefined): string | undefined => {
            if (!spec) {
                return given[role];
            }
            // A different name in pluginConnector.serviceAccounts was refused by the plan (the kind's serviceAccountNames).
            resources.push(
                new k8s.core.v1.ServiceAccount(
                    `${name}-${role}-sa`,
                    { metadata: { name: spec.name, namespace, annotations: spec.annotations } },
                    opts,
                ),
            );
            return spec.name;
        };
        const build = create("build", registry.serviceAccounts?.build);
        const runner = create("runner", registry.serviceAccounts?.runner);
        return { build, runner, resources };
    }
}

/** `value` as a secret Output when `secret`, else unchanged (plain values stay plain, so previews show them). */
function secretIf<T>(secret: boolean, value: Eventually<T> | pulumi.Input<T>): Eventually<T> | pulumi.Input<T> {
    return secret ? (pulumi.secret(value) as unknown as pulumi.Output<T>) : value;
}
