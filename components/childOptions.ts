import * as pulumi from "@pulumi/pulumi";

type DependsOn = pulumi.ResourceOptions["dependsOn"];

/** `dependsOn` as a list; the SDK resolves an element that is an Output or a Promise of a list as that list. */
function asList(dependsOn: DependsOn): pulumi.Input<pulumi.Resource>[] {
    if (dependsOn === undefined) return [];
    return Array.isArray(dependsOn) ? dependsOn : [dependsOn as pulumi.Input<pulumi.Resource>];
}

/**
 * The component's options, with its `dependsOn` passed on to every resource created under it. The SDK passes a
 * parent's providers, `protect` and aliases on to its children, but not its `dependsOn`: without this, the Secret of a
 * component that depends on a database could be created before the database. A transformation, so that the registry
 * kinds' resources and any child added later get it too.
 */
export function passDependsOnToChildren(
    type: string,
    name: string,
    opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions | undefined {
    const inherited = asList(opts?.dependsOn);
    if (inherited.length === 0) {
        return opts;
    }
    const passOn: pulumi.ResourceTransformation = (args) =>
        args.type === type && args.name === name
            ? undefined // the component itself
            : { props: args.props, opts: { ...args.opts, dependsOn: [...asList(args.opts.dependsOn), ...inherited] } };
    return { ...opts, transformations: [...(opts?.transformations ?? []), passOn] };
}
