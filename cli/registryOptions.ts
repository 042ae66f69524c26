/**
 * Command-line options for reaching registries, shared by the commands that talk to registries (one grammar for
 * both): repeatable `--insecure [HOST]` and `--ca-file [HOST=]FILE` — without a HOST, for the command's own registry
 * (`mirror --to`'s, `check --prefix`'s) — and the docker config the logins come from when `--auth-file` is not given.
 * Files are read and checked here, before any work, so a wrong path is a usage error naming the option.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RegistryConnection } from "../engines/oci/http";
import { readUserFile, userPath } from "./paths";
import { UsageError } from "./usageError";

/** `host`, `host:port`, `[v6]:port`: what a registry is keyed by. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** One `--ca-file` value: `HOST=FILE`, or a bare `FILE` for `defaultHost`. */
export function parseCaFileArg(value: string, defaultHost: string): { readonly host: string; readonly file: string } {
    const at = value.indexOf("=");
    if (at > 0 && at === value.length - 1 && HOST.test(value.slice(0, at))) {
        throw new UsageError(`--ca-file ${JSON.stringify(value)}: no file after "="`);
    }
    if (at > 0 && HOST.test(value.slice(0, at))) return { host: value.slice(0, at), file: value.slice(at + 1) };
    if (at === 0) throw new UsageError(`--ca-file ${value}: give HOST=FILE or FILE`);
    return { host: defaultHost, file: value };
}

/**
 * Reads a PEM CA file (relative to the user's directory, see `paths.ts`); a usage error naming `--ca-file` and the
 * resolved path when it is missing, cannot be read or holds no certificate.
 */
export function readCaFile(arg: string, file: string): string {
    const resolved = userPath(file);
    const pem = readUserFile("--ca-file", arg, resolved);
    const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
    try {
        if (!first) throw new Error("no PEM certificate in it");
        new crypto.X509Certificate(first[0]);
    } catch (e) {
        throw new UsageError(`--ca-file ${arg}: ${resolved} is not a PEM CA certificate (${(e as Error).message})`);
    }
    return pem;
}

/** The hosts of `--insecure` values: an empty one (a bare `--insecure`, see {@link bareInsecure}) is `defaultHost`. */
export function insecureHosts(insecure: readonly string[], defaultHost: string): string[] {
    return insecure.map((host) => (host === "" ? defaultHost : host));
}

/**
 * `--insecure` without a HOST (at the end, or followed by another option) becomes `--insecure=` (empty: the command's
 * own registry), so `parseArgs` neither calls it ambiguous nor takes the next option as its value. A value that does
 * not start with `-` is the HOST: the commands take no positional arguments.
 */
export function bareInsecure(argv: readonly string[]): string[] {
    return argv.map((arg, i) => (arg === "--insecure" && (i === argv.length - 1 || argv[i + 1].startsWith("-")) ? "--insecure=" : arg));
}

/** The per-registry connection settings of `--insecure` and `--ca-file` values; throws {@link UsageError}. */
export function registryConnections(
    insecure: readonly string[],
    caFiles: readonly string[],
    defaultHost: string,
): Record<string, RegistryConnection> {
    const registries: Record<string, { insecure?: boolean; ca?: string[] }> = {};
    for (const host of insecureHosts(insecure, defaultHost)) {
        if (!HOST.test(host)) throw new UsageError(`--insecure ${host}: expected a registry host (host or host:port)`);
        registries[host] = { ...registries[host], insecure: true };
    }
    for (const arg of caFiles) {
        const { host, file } = parseCaFileArg(arg, defaultHost);
        const pem = readCaFile(arg, file);
        registries[host] = { ...registries[host], ca: [...(registries[host]?.ca ?? []), pem] };
    }
    return registries;
}

/** `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, where docker keeps its logins, if it exists. */
export function defaultAuthFile(): string | undefined {
    const file = path.join(process.env.DOCKER_CONFIG ?? path.join(os.homedir(), ".docker"), "config.json");
    return fs.existsSync(file) ? file : undefined;
}
