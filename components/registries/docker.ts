import { dockerLoginJson, joinPrefix } from "./login";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { inputString } from "../schema";
import { hostPortProblem, InputChecks, repositoryPathProblem, requireNonEmpty } from "../validation";
import { ProvisionedRegistry, RegistryKind } from "./registryKind";

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

/** The `docker` registry kind: creates nothing; the given login becomes image-repo-secret. */
export const dockerRegistry: RegistryKind<DockerRegistryArgs> = {
    type: "docker",
    configSchema: z.strictObject({
        type: z.literal("docker"),
        server: inputString,
        prefix: inputString,
        username: inputString,
        password: inputString,
        insecure: z.boolean().optional(),
    }),
    secretKeys: ["password"],

    validate(args: DockerRegistryArgs, checks: InputChecks): void {
        checks.check("registry.server", args.server, hostPortProblem);
        checks.check("registry.prefix", args.prefix, repositoryPathProblem);
        checks.check("registry.username", args.username, requireNonEmpty("the registry login user"));
        checks.check("registry.password", args.password, requireNonEmpty("the registry password"));
        if (args.insecure !== undefined && typeof args.insecure !== "boolean") {
            checks.problems.add("registry.insecure", `must be true or false, got ${JSON.stringify(args.insecure)}`);
        }
    },

    provision(args: DockerRegistryArgs): ProvisionedRegistry {
        return {
            imageRepoPrefix: joinPrefix(args.server, args.prefix),
            imageRepoType: "docker",
            insecure: args.insecure ?? false,
            dockerConfigJson: dockerLoginJson({ server: args.server, username: args.username, password: args.password }),
        };
    },
};
