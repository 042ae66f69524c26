import type { TcrRegistryArgs } from "./tcr/args";
import { dockerLoginJson, joinPrefix } from "./login";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { inputString } from "../schema";
import { hostPortProblem, InputChecks, loginUserProblem, requireNonEmpty } from "../validation";
import { ProvisionedRegistry, RegistryContext, RegistryKind } from "./registryKind";
import { newTcrInstanceToken, newTcrNamespace } from "../resources/tcr/resource";
import {
    apiEndpointProblem,
    hasEnvironmentCredentials,
    instanceIdProblem,
    namespaceProblem,
    regionProblem,
    tokenRotationProblem,
} from "./tcr/validate";

export type { TcrRegistryArgs } from "./tcr/args";

const MANAGED_ONLY = ["secretId", "secretKey", "tokenRotation"] as const;

/** The `tcr` registry kind: a namespace and long-term token managed through the TCR API, or an existing login. */
export const tcrRegistry: RegistryKind<TcrRegistryArgs> = {
    type: "tcr",
    // Everything optional here: validate() explains what is missing and what would be valid.
    configSchema: z.strictObject({
        type: z.literal("tcr"),
        instanceId: inputString.optional(),
        region: inputString.optional(),
        namespace: inputString.optional(),
        secretId: inputString.optional(),
        secretKey: inputString.optional(),
        apiEndpoint: z.string().optional(),
        server: inputString.optional(),
        tokenRotation: z.string().optional(),
        username: inputString.optional(),
        token: inputString.optional(),
    }),
    secretKeys: ["secretId", "secretKey", "token"],

    validate(args: TcrRegistryArgs, checks: InputChecks): void {
        checks.check("registry.instanceId", args.instanceId, instanceIdProblem);
        checks.check("registry.namespace", args.namespace, namespaceProblem);
        if (args.apiEndpoint !== undefined) {
            checks.check("registry.apiEndpoint", args.apiEndpoint, apiEndpointProblem);
        }
        if (args.tokenRotation !== undefined) {
            checks.check("registry.tokenRotation", args.tokenRotation, tokenRotationProblem);
        }
        if (args.token !== undefined || args.username !== undefined) {
            validateExistingLogin(args, checks);
            return;
        }
        checks.check("registry.region", args.region, regionProblem);
        if (args.server !== undefined) {
            checks.check("registry.server", args.server, hostPortProblem);
        }
        if (args.secretId !== undefined || args.secretKey !== undefined) {
            checks.check("registry.secretId", args.secretId, requireNonEmpty("the API SecretId (it goes with registry.secretKey)"));
            checks.check("registry.secretKey", args.secretKey, requireNonEmpty("the API SecretKey (it goes with registry.secretId)"));
        } else if (!hasEnvironmentCredentials()) {
            checks.problems.add(
                "registry",
                "neither TCR API credentials nor an existing token: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY " +
                    "where `pulumi` runs, or give registry.secretId + registry.secretKey (to create the namespace and token), " +
                    "or give an existing registry.username + registry.token + registry.server",
            );
        }
    },

    provision(args: TcrRegistryArgs, ctx: RegistryContext): ProvisionedRegistry {
        return args.token !== undefined ? existingLogin(args) : managedToken(args, ctx);
    },
};

function validateExistingLogin(args: TcrRegistryArgs, checks: InputChecks): void {
    checks.check(
        "registry.username",
        args.username,
        loginUserProblem("with registry.token, the user name it belongs to (the Tencent Cloud account id)"),
    );
    checks.check("registry.token", args.token, requireNonEmpty("with registry.username, the existing long-term access token"));
    checks.check("registry.server", args.server, (server) =>
        server === undefined
            ? "is required with an existing token (no API call looks it up): the instance's domain, e.g. `acme.tencentcloudcr.com`"
            : hostPortProblem(server),
    );
    if (args.region !== undefined) {
        checks.check("registry.region", args.region, regionProblem);
    }
    for (const key of MANAGED_ONLY) {
        if (args[key] !== undefined) {
            checks.problems.add(
                `registry.${key}`,
                "is only for a token the component creates; remove it, or remove registry.username and registry.token",
            );
        }
    }
}

/** An existing login: no resources, the Secret only. */
function existingLogin(args: TcrRegistryArgs): ProvisionedRegistry {
    const server = args.server!;
    return {
        imageRepoPrefix: joinPrefix(server, args.namespace),
        imageRepoType: "docker",
        insecure: false,
        dockerConfigJson: dockerLoginJson({ server, username: args.username!, password: args.token! }),
        outputs: { instanceId: args.instanceId, namespace: args.namespace, server, username: args.username! },
    };
}

/** The namespace and a long-term token, created through the TCR API (dynamic resources, or the package's own under its provider). */
function managedToken(args: TcrRegistryArgs, ctx: RegistryContext): ProvisionedRegistry {
    const opts = { parent: ctx.parent, dependsOn: ctx.dependsOn };
    const connection = {
        instanceId: args.instanceId,
        region: args.region!,
        apiEndpoint: args.apiEndpoint,
        secretId: args.secretId,
        secretKey: args.secretKey,
    };
    const namespace = newTcrNamespace(`${ctx.name}-tcr-namespace`, { ...connection, namespace: args.namespace }, opts, ctx.resourceHost);
    const rotation = args.tokenRotation === undefined ? "" : ` (rotation ${args.tokenRotation})`;
    const token = newTcrInstanceToken(
        `${ctx.name}-tcr-token`,
        { ...connection, description: `dify-plugin-registry ${pulumi.getStack()}/${ctx.name}: push plugin images${rotation}` },
        opts,
        ctx.resourceHost,
    );
    const server: pulumi.Input<string> = args.server ?? namespace.domain;
    return {
        // From the namespace's output, so the prefix exists only once the namespace does.
        imageRepoPrefix: joinPrefix(server, namespace.namespace),
        imageRepoType: "docker",
        insecure: false,
        dockerConfigJson: dockerLoginJson({ server, username: token.username, password: token.token }),
        dependencies: [namespace, token],
        outputs: {
            instanceId: args.instanceId,
            region: args.region!,
            namespace: namespace.namespace,
            server,
            username: token.username,
            tokenId: token.tokenId,
        },
    };
}
