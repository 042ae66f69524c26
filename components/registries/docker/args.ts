/** The arguments of the `docker` registry kind (its shape is checked by `configSchema` in `../docker.ts`). */
import type * as pulumi from "@pulumi/pulumi";

/**
 * Any Docker-compatible registry reached with a username and password: Harbor, GHCR, Quay, GitLab, Nexus, a
 * self-hosted `registry:2`, including plain-HTTP ones (`insecure: true`).
 */
export interface DockerRegistryArgs {
    /** Selects this registry kind. */
    readonly type: "docker";
    /** Registry host as `hostname[:port]`, no scheme: `harbor.example.com`, `ghcr.io`, `10.0.0.5:5000`. */
    readonly server: pulumi.Input<string>;
    /** Repository path under the server that plugin images go to: `dify-plugins`, `acme/dify-plugins`. */
    readonly prefix: pulumi.Input<string>;
    /** Login user (Harbor robot accounts look like `robot$dify`). */
    readonly username: pulumi.Input<string>;
    /** Login password or token. Kept secret end to end. */
    readonly password: pulumi.Input<string>;
    /**
     * The registry speaks plain HTTP: sets `insecureImageRepo: true` so kaniko pushes over HTTP. The nodes' container
     * runtime must trust it too (see docs/troubleshooting.md). Default false.
     */
    readonly insecure?: boolean;
}
