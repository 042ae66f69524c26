import type { DockerRegistryArgs } from "./docker/args";
import { dockerLoginJson, joinPrefix } from "./login";
import { z } from "zod";
import { inputString } from "../schema";
import { hostPortProblem, InputChecks, loginUserProblem, repositoryPathProblem, requireNonEmpty } from "../validation";
import { ProvisionedRegistry, RegistryKind } from "./registryKind";

export type { DockerRegistryArgs } from "./docker/args";

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
        checks.check("registry.username", args.username, loginUserProblem("the registry login user"));
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
