import type { DockerHubRegistryArgs } from "./dockerhub/args";
import { dockerLoginJson, joinPrefix } from "./login";
import { z } from "zod";
import { inputString } from "../schema";
import { DOCKER_HUB_AUTH_KEY } from "../../engines/oci/dockerConfig";
import { InputChecks, loginUserProblem, requireNonEmpty } from "../validation";
import { ProvisionedRegistry, RegistryKind } from "./registryKind";

export type { DockerHubRegistryArgs } from "./dockerhub/args";

// Docker Hub namespaces: lowercase letters and digits, with '-' or '_' between them (4-30 characters for new accounts,
// shorter legacy names exist, so only the charset and the 255 limit of a path component are enforced).
const NAMESPACE = /^[a-z0-9]+(?:[_-][a-z0-9]+)*$/;

function namespaceProblem(namespace: string | undefined): string | undefined {
    if (typeof namespace !== "string" || namespace.length === 0) {
        return "is required: the Docker Hub user or organization, e.g. `acme`";
    }
    if (namespace.includes("/") || namespace.includes(".")) {
        return `"${namespace}" must be the bare Docker Hub namespace (e.g. \`acme\`), not a path or host`;
    }
    if (!NAMESPACE.test(namespace) || namespace.length > 255) {
        return `"${namespace}" is not a Docker Hub namespace: lowercase letters and digits, '-' or '_' between them`;
    }
    return undefined;
}

/** The `dockerhub` registry kind: images go to `docker.io/<namespace>`, pushed with the access token; creates nothing. */
export const dockerHubRegistry: RegistryKind<DockerHubRegistryArgs> = {
    type: "dockerhub",
    configSchema: z.strictObject({
        type: z.literal("dockerhub"),
        namespace: inputString,
        username: inputString,
        token: inputString,
        // Accepted here only so that validate() can explain why it does not apply to Docker Hub.
        insecure: z.unknown().optional(),
    }),
    secretKeys: ["token"],

    validate(args: DockerHubRegistryArgs, checks: InputChecks): void {
        checks.check("registry.namespace", args.namespace, namespaceProblem);
        checks.check("registry.username", args.username, loginUserProblem("the Docker Hub user name"));
        checks.check("registry.token", args.token, requireNonEmpty("the Docker Hub access token"));
        // Not part of the type, but reachable from JavaScript and stack config: Docker Hub is always HTTPS.
        if ((args as { insecure?: unknown }).insecure !== undefined) {
            checks.problems.add("registry.insecure", "Docker Hub is always HTTPS; remove `insecure` (it is only for `type: docker`)");
        }
    },

    provision(args: DockerHubRegistryArgs): ProvisionedRegistry {
        return {
            imageRepoPrefix: joinPrefix("docker.io", args.namespace),
            imageRepoType: "docker",
            insecure: false,
            dockerConfigJson: dockerLoginJson({ server: DOCKER_HUB_AUTH_KEY, username: args.username, password: args.token }),
        };
    },
};
