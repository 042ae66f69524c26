/**
 * The dynamic provider behind {@link RegistryPushCheck} (`resource.ts`): runs the registry push check
 * (`check.ts`) during `pulumi up` — `create` and `update` — and fails the update with the check's message, naming the
 * prefix, before the chart is deployed.
 *
 * Previews make no network call: the engine runs `create`/`update` only during an update, and `check` and `diff` here
 * only look at their inputs. The state keeps a salted scrypt hash of the login (never the login): `diff` compares it
 * with the new login, so a new password or prefix checks again, and an unchanged one does not.
 *
 * Pulumi serializes this object with everything it references into the state, and the engine's dynamic-provider
 * process runs it: no module state, no non-serializable captures (`test/check.provider.test.ts` runs the serialized
 * text against real registries).
 */
import { randomBytes, scryptSync } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { loadCredentials } from "../../../engines/oci";
import {
    type CheckReport,
    checkRegistry,
    type EcrLogin,
    ecrDockerConfig,
    formatCheckStep,
    formatCheckVerdict,
    parseCheckPrefix,
    prefixProblem,
} from "../../../engines/pushCheck";

/** Inputs of {@link registryPushCheckProvider}. */
export interface PushCheckInputs {
    /** `host[:port]/path`: `plugin_connector.imageRepoPrefix`. */
    readonly prefix: string;
    /** Docker config JSON with the login for the prefix's registry. Secret; never returned. */
    readonly auth?: string;
    /** ECR with an access key: the key, exchanged for a registry login when the check runs. Secret; never returned. */
    readonly ecr?: EcrLogin;
    /** Plain HTTP. */
    readonly insecure?: boolean;
    /** PEM file of an extra CA for the registry, read when the check runs. */
    readonly caFile?: string;
    /** How long a refused login, push or pull is tried again (a login just created is not honoured everywhere yet). */
    readonly settleMs?: number;
}

/** State of a push check: what was checked, a hash of the login, and what the check found. */
export interface PushCheckOutputs {
    readonly prefix: string;
    readonly insecure?: boolean;
    readonly caFile?: string;
    /** scrypt(login, salt), hex: tells a changed login without holding it. Marked secret all the same. */
    readonly loginHash: string;
    readonly salt: string;
    /** One line per step of the last check. */
    readonly steps: readonly string[];
    readonly warnings: readonly string[];
}

// The engine's placeholder for a value that is not known yet (a preview of a registry still to be created).
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What identifies the login: the entry for the prefix's registry, or the ECR key. Everything else does not matter. */
function loginMaterial(inputs: PushCheckInputs): string {
    if (inputs.ecr !== undefined) return `ecr:${inputs.ecr.accessKeyId}:${inputs.ecr.secretAccessKey}:${inputs.ecr.region}`;
    if (inputs.auth === undefined || inputs.auth === "") return "anonymous";
    const login = loadCredentials(JSON.parse(inputs.auth)).lookup(parseCheckPrefix(inputs.prefix).registry);
    return login ? `login:${login.username}:${login.password}` : "anonymous";
}

/** Slow on purpose (scrypt, ~30 ms): the hash is in state, and a fast hash of a short password can be guessed. */
function hashLogin(inputs: PushCheckInputs, salt: string): string {
    return scryptSync(loginMaterial(inputs), Buffer.from(salt, "hex"), 32).toString("hex");
}

// Refusals that a login created a moment ago can still turn into a yes.
const SETTLING = ["login-rejected", "push-denied", "pull-denied"];

async function runCheck(inputs: PushCheckInputs, salt: string): Promise<PushCheckOutputs> {
    const deadline = Date.now() + (typeof inputs.settleMs === "number" ? inputs.settleMs : 0);
    for (let attempt = 0; ; attempt++) {
        const report = await checkOnce(inputs);
        const settling = !report.ok && SETTLING.includes(report.failed!.reason ?? "") && Date.now() < deadline;
        if (!settling) return outputsOf(inputs, salt, report);
        await new Promise((r) => setTimeout(r, Math.min(15_000, 2000 * 2 ** attempt)));
    }
}

async function checkOnce(inputs: PushCheckInputs): Promise<CheckReport> {
    const auth = inputs.ecr !== undefined ? await ecrDockerConfig(inputs.ecr, parseCheckPrefix(inputs.prefix).registry) : inputs.auth;
    return checkRegistry({
        prefix: inputs.prefix,
        auth: auth === undefined || auth === "" ? undefined : typeof auth === "string" ? JSON.parse(auth) : auth,
        connection: { insecure: inputs.insecure === true, ...(inputs.caFile ? { caFile: inputs.caFile } : {}) },
        fixes: {
            caFile: "pushCheck.caFile (a PEM file of the CA)",
            insecure: "registry.insecure: true",
            loginSource: inputs.ecr !== undefined ? "the ECR login of the push user's access key" : "image-repo-secret (or pushCheck.auth)",
        },
    });
}

function outputsOf(inputs: PushCheckInputs, salt: string, report: CheckReport): PushCheckOutputs {
    if (!report.ok) {
        // The whole report: which steps passed tells as much as the one that failed.
        throw new Error(`${formatCheckVerdict(report)}\n${report.steps.map((s) => `  ${formatCheckStep(s)}`).join("\n")}`);
    }
    return {
        prefix: inputs.prefix,
        ...(inputs.insecure !== undefined ? { insecure: inputs.insecure } : {}),
        ...(inputs.caFile !== undefined ? { caFile: inputs.caFile } : {}),
        loginHash: hashLogin(inputs, salt),
        salt,
        steps: report.steps.map(formatCheckStep),
        warnings: [...report.warnings],
    };
}

function problemsOf(inputs: PushCheckInputs): pulumi.dynamic.CheckFailure[] {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (inputs.prefix !== UNKNOWN) {
        const problem = prefixProblem(inputs.prefix);
        if (problem !== undefined) failures.push({ property: "prefix", reason: problem });
    }
    if (inputs.auth !== undefined && inputs.auth !== "" && inputs.auth !== UNKNOWN) {
        try {
            const parsed = JSON.parse(inputs.auth);
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        } catch {
            // The value is secret: say what is wrong, never what it is.
            failures.push({ property: "auth", reason: 'must be docker config JSON: {"auths":{"<registry>":{"auth":"…"}}}' });
        }
    }
    if (inputs.insecure !== undefined && typeof inputs.insecure !== "boolean")
        failures.push({ property: "insecure", reason: "must be a boolean" });
    if (inputs.caFile !== undefined && typeof inputs.caFile !== "string")
        failures.push({ property: "caFile", reason: "must be a file path" });
    return failures;
}

const hasUnknown = (value: unknown): boolean =>
    value === UNKNOWN || (typeof value === "object" && value !== null && Object.values(value).some(hasUnknown));

/** Checks on create and update; `check`, `diff`, `read` and `delete` make no network call. */
export const registryPushCheckProvider: pulumi.dynamic.ResourceProvider<PushCheckInputs, PushCheckOutputs> = {
    async check(_olds, news) {
        return { inputs: news, failures: problemsOf(news) };
    },

    async diff(_id, olds, news) {
        // Not known yet (a preview of a registry still to be created): it will be checked when it is.
        if (hasUnknown(news)) return { changes: true, replaces: [], deleteBeforeReplace: false };
        const settings =
            news.prefix !== olds.prefix || (news.insecure ?? false) !== (olds.insecure ?? false) || news.caFile !== olds.caFile;
        let login = true;
        try {
            login = typeof olds.salt !== "string" || hashLogin(news, olds.salt) !== olds.loginHash;
        } catch {
            // An unreadable login is reported by the check itself.
        }
        return { changes: settings || login, replaces: [], deleteBeforeReplace: false };
    },

    async create(inputs) {
        const outs = await runCheck(inputs, randomBytes(16).toString("hex"));
        return { id: `push-check-${randomBytes(6).toString("hex")}`, outs };
    },

    async update(_id, olds, news) {
        return { outs: await runCheck(news, typeof olds.salt === "string" ? olds.salt : randomBytes(16).toString("hex")) };
    },

    async read(id, props) {
        // A refresh does not check again: it has no login (state holds none), and the next `up` with a change will.
        return { id, props: props! };
    },

    async delete() {
        // The check created nothing in the registry.
    },
};
