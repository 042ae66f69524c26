/** The grammar of TCR arguments (pure): each returns why a value is invalid, or undefined when it is fine. */

const INSTANCE_ID = /^tcr-[a-z0-9]+$/;
// ap-guangzhou, na-siliconvalley, ap-shanghai-fsi, eu-frankfurt
const REGION = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;
// CreateNamespace: 2-30 characters, lowercase letters, digits and separators (. _ -), not first, last or doubled.
const NAMESPACE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const LOOPBACK = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(?::\d{1,5})?$/;

/** Why `id` is not a TCR Enterprise instance id (`tcr-…`), or undefined. */
export function instanceIdProblem(id: string | undefined): string | undefined {
    if (typeof id !== "string" || id === "") {
        return "is required: the id of an existing TCR Enterprise instance, e.g. `tcr-dg284imq` (TCR console → Instances)";
    }
    return INSTANCE_ID.test(id)
        ? undefined
        : `"${id}" is not a TCR Enterprise instance id: \`tcr-\` and lowercase letters or digits, e.g. \`tcr-dg284imq\``;
}

/** Why `region` is not a Tencent Cloud region id (`ap-guangzhou`), or undefined. */
export function regionProblem(region: string | undefined): string | undefined {
    if (typeof region !== "string" || region === "") {
        return "is required: the region of the instance, e.g. `ap-guangzhou` (the TCR API is regional)";
    }
    return REGION.test(region) ? undefined : `"${region}" is not a Tencent Cloud region such as \`ap-guangzhou\` or \`na-siliconvalley\``;
}

/** Why `namespace` is not a TCR namespace (2-30 lowercase letters and digits, single `.` `_` `-` between), or undefined. */
export function namespaceProblem(namespace: string | undefined): string | undefined {
    if (typeof namespace !== "string" || namespace === "") {
        return "is required: the TCR namespace plugin images go to, e.g. `dify-plugins`";
    }
    if (namespace.length < 2 || namespace.length > 30 || !NAMESPACE.test(namespace)) {
        return (
            `"${namespace}" is not a TCR namespace: 2-30 lowercase letters and digits, with single '.', '_' or '-' between ` +
            "them (e.g. `dify-plugins`)"
        );
    }
    return undefined;
}

/** `tcr.tencentcloudapi.com`, `https://tcr.intl.tencentcloudapi.com`; plain `http://` only to a loopback test server. */
export function apiEndpointProblem(endpoint: string | undefined): string | undefined {
    if (typeof endpoint !== "string" || endpoint === "") {
        return "must be the TCR API host, e.g. `tcr.tencentcloudapi.com` or `tcr.intl.tencentcloudapi.com`";
    }
    const match = /^(?:(https?):\/\/)?([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?\/?$/.exec(endpoint);
    if (!match) {
        return `"${endpoint}" is not [https://]host[:port], e.g. \`tcr.tencentcloudapi.com\``;
    }
    if (match[1] === "http" && !LOOPBACK.test(endpoint.slice("http://".length).replace(/\/$/, ""))) {
        return `"${endpoint}" is plain HTTP: the API returns the token in its response, so use https (http:// is only for a loopback test server)`;
    }
    return undefined;
}

/** Why `rotation` is not a `tokenRotation` value (1-64 printable ASCII characters), or undefined. */
export function tokenRotationProblem(rotation: string | undefined): string | undefined {
    return typeof rotation === "string" && /^[\x20-\x7e]{1,64}$/.test(rotation)
        ? undefined
        : `must be 1-64 printable characters, e.g. "2026-01" (change it to replace the access token), got ${JSON.stringify(rotation)}`;
}

/** Whether the environment holds Tencent Cloud API credentials (the variables the SDK's EnvironmentVariableCredential reads). */
export function hasEnvironmentCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
    return Boolean(env.TENCENTCLOUD_SECRET_ID && env.TENCENTCLOUD_SECRET_KEY);
}
