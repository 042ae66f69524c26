/** The arguments of the `dockerhub` registry kind (its shape is checked by `configSchema` in `../dockerhub.ts`). */
import type * as pulumi from "@pulumi/pulumi";

/** Docker Hub, with a personal access token (or an organization access token) that can push. */
export interface DockerHubRegistryArgs {
    /** Selects this registry kind. */
    readonly type: "dockerhub";
    /** The Docker Hub user or organization that owns the plugin repositories: images go to `docker.io/<namespace>/…`. */
    readonly namespace: pulumi.Input<string>;
    /** Docker Hub user name the token belongs to. */
    readonly username: pulumi.Input<string>;
    /** A Docker Hub access token with read & write scope (not the account password). Kept secret end to end. */
    readonly token: pulumi.Input<string>;
}
