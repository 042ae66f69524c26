import * as pulumi from "@pulumi/pulumi";

/**
 * Collects every problem with a set of arguments so the user sees all of them at once, then throws a single
 * `pulumi.InputPropertiesError` before any resource is registered.
 */
export class ArgumentProblems {
    private readonly problems: pulumi.InputPropertyErrorDetails[] = [];

    /** Records that `propertyPath` (e.g. `registry.prefix`) is invalid, and why (say what would be valid). */
    add(propertyPath: string, reason: string): void {
        this.problems.push({ propertyPath, reason });
    }

    get isEmpty(): boolean {
        return this.problems.length === 0;
    }

    /** How many problems were recorded so far. */
    get count(): number {
        return this.problems.length;
    }

    /** Throws if anything was recorded. `subject` names what was being validated (a resource, a stack config). */
    throwIfAny(subject: string): void {
        if (this.isEmpty) {
            return;
        }
        const lines = this.problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`);
        throw new pulumi.InputPropertiesError({
            message: `${subject} has invalid arguments:\n${lines.join("\n")}`,
            errors: [...this.problems],
        });
    }
}

/** True when `value` is known now: not an Output and not a Promise. */
export function isPlain<T>(value: pulumi.Input<T> | undefined): value is T | undefined {
    return !pulumi.Output.isInstance(value) && !(value instanceof Promise);
}

/**
 * Validates arguments that may be Outputs. Plain values are checked at once; Outputs are checked when they resolve, and
 * {@link InputChecks.gate} turns those checks into a `dependsOn` that every child waits on, so a bad Output value still
 * fails before any child is registered.
 */
export class InputChecks {
    private readonly deferred: pulumi.Output<void>[] = [];

    constructor(readonly problems: ArgumentProblems = new ArgumentProblems()) {}

    /** `validate` returns the reason the value is invalid, or undefined when it is fine. */
    check<T>(path: string, value: pulumi.Input<T> | undefined, validate: (v: T | undefined) => string | undefined): void {
        if (isPlain(value)) {
            const reason = validate(value);
            if (reason !== undefined) {
                this.problems.add(path, reason);
            }
            return;
        }
        this.deferred.push(
            pulumi.output(value).apply((v) => {
                const reason = validate(v as T | undefined);
                if (reason !== undefined) {
                    throw keepMessage(new pulumi.InputPropertyError({ propertyPath: path, reason: `${path}: ${reason}` }));
                }
            }),
        );
    }

    /** Resources to wait for before registering children: none, but only once every deferred check has passed. */
    gate(): pulumi.Input<pulumi.Resource[]> {
        return this.deferred.length === 0 ? [] : this.guard([] as pulumi.Resource[]);
    }

    /**
     * `value`, available only once every deferred check has passed (plain when there is none). Children that take a
     * guarded value as an input are not registered when a check fails, at the cost of an ordinary input rather than an
     * Output-valued `dependsOn`. The value does not inherit the secrecy of the checked arguments.
     */
    guard<T>(value: T): pulumi.Input<T> {
        if (this.deferred.length === 0) {
            return value;
        }
        const passed: pulumi.Output<unknown> = this.deferred.length === 1 ? this.deferred[0] : pulumi.all(this.deferred);
        return pulumi.unsecret(passed.apply(() => value));
    }
}

/**
 * `error` with a message that stays as written. The SDK prefixes an error raised while it serializes a resource's
 * inputs with the input's name (`error serializing property "metadata": …`); for a deferred argument check that
 * names an input the user never wrote, so the assignment is ignored and the message keeps the argument's path.
 */
export function keepMessage<E extends Error>(error: E): E {
    const message = error.message;
    Object.defineProperty(error, "message", {
        get: () => message,
        set: () => {},
        enumerable: false,
        configurable: true,
    });
    return error;
}

/** A non-empty string after trimming. */
export function requireNonEmpty(what: string): (v: string | undefined) => string | undefined {
    return (v) => (typeof v === "string" && v.trim().length > 0 ? undefined : `${what} is required and must not be empty`);
}

// Grammar of docker/distribution references (reference/regexp.go), lowercase path components only.
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const repositoryPath = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const hostPort = new RegExp(`^(?:${domainComponent}(?:\\.${domainComponent})*|\\[[0-9a-fA-F:]+\\])(?::([0-9]{1,5}))?$`);

/** Why `prefix` is not a valid repository path (e.g. `dify-plugins`, `acme/dify`), or undefined. */
export function repositoryPathProblem(prefix: string | undefined): string | undefined {
    if (typeof prefix !== "string" || prefix.length === 0) {
        return "is required: a repository path such as `dify-plugins` or `team/dify-plugins`";
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(prefix)) {
        return `"${prefix}" has a scheme; give the path only, e.g. \`dify-plugins\``;
    }
    if (/[A-Z]/.test(prefix)) {
        return `"${prefix}" has uppercase letters; repository paths are lowercase`;
    }
    if (prefix.endsWith("/") || prefix.startsWith("/")) {
        return `"${prefix}" has a leading or trailing slash; write it as \`a/b\``;
    }
    if (prefix.includes("@") || prefix.includes(":")) {
        return `"${prefix}" has a tag or digest; give the repository path only (Dify appends \`/<plugin>:<tag>\`)`;
    }
    if (!repositoryPath.test(prefix)) {
        return `"${prefix}" is not a repository path: lowercase letters, digits and single separators (. _ -) between slashes`;
    }
    return undefined;
}

/** Why `server` is not `hostname[:port]` (e.g. `harbor.example.com`, `127.0.0.1:5000`), or undefined. */
export function hostPortProblem(server: string | undefined): string | undefined {
    const example = "a registry host such as `harbor.example.com` or `127.0.0.1:5000`";
    if (typeof server !== "string" || server.length === 0) {
        return `is required: ${example}`;
    }
    const match = hostPort.exec(server);
    if (!match || server.includes("/")) {
        return `"${server}" is not hostname[:port]; give ${example} (no scheme, no path)`;
    }
    if (match[1] !== undefined && (Number(match[1]) < 1 || Number(match[1]) > 65535)) {
        return `"${server}" has port ${match[1]}; ports are 1-65535`;
    }
    return undefined;
}

/** Why `name` is not a DNS-1123 label (Kubernetes namespace names), or undefined. */
export function dns1123LabelProblem(name: string | undefined): string | undefined {
    if (typeof name !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
        return `"${name}" is not a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit`;
    }
    return undefined;
}

/**
 * A registry login user: required, and without `:` — the docker config stores `base64(user:password)` and every
 * reader splits it at the first `:`, so `a:b` with password `c` would log in as `a` with password `b:c`.
 */
export function loginUserProblem(what: string): (v: string | undefined) => string | undefined {
    return (v) => {
        const empty = requireNonEmpty(what)(v);
        if (empty !== undefined) return empty;
        if (v!.includes(":")) {
            return (
                `${JSON.stringify(v)} contains ':', which a docker login cannot hold (the config stores base64(user:password) ` +
                "and it is read back split at the first ':'); use the registry's user name without ':'"
            );
        }
        if (/[\r\n\t]/.test(v!)) {
            return `${JSON.stringify(v)} contains a line break or tab; give the user name alone`;
        }
        return undefined;
    };
}

// Helm 3's release names (pkg/chartutil/validate_name.go): a DNS-1123 subdomain of at most 53 characters, the room
// Helm leaves for suffixes of the objects it names after the release.
const HELM_RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HELM_RELEASE_NAME_MAX = 53;

/** Why Helm would refuse `name` as a release name, or undefined. */
export function helmReleaseNameProblem(name: unknown): string | undefined {
    if (typeof name === "string" && name.length <= HELM_RELEASE_NAME_MAX && HELM_RELEASE_NAME.test(name)) {
        return undefined;
    }
    const rule =
        `Helm release names are at most ${HELM_RELEASE_NAME_MAX} lowercase letters, digits, '-' or '.', starting and ending ` +
        "with a letter or digit (regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$), e.g. `dify` or `dify-prod`";
    const length = typeof name === "string" && name.length > HELM_RELEASE_NAME_MAX ? ` (${name.length} characters)` : "";
    return `${JSON.stringify(name)}${length} is refused by Helm; ${rule}`;
}
