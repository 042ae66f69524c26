/**
 * The real Pulumi engine, as users run it: the `pulumi` CLI built by `scripts/engine-tools.sh` (or one on PATH), its
 * Node.js language host and the Kubernetes provider, a file backend in a temporary directory (`pulumi login file://`),
 * a passphrase secrets provider. A workspace is a Pulumi project in a temporary directory whose `main` is a program
 * elsewhere (the repository's stack program, or a user's project), with its stack config written there.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { engineToolsBinDir } from "./apiServer";
import { findBinary } from "./registry";

export const PASSPHRASE = "engine-test-passphrase";

export interface PulumiResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** The `pulumi` binary: the built one first (scripts/engine-tools.sh), else whatever PATH has (a user's install). */
export function pulumiBinary(): string | undefined {
    return findBinary("pulumi", [engineToolsBinDir()]);
}

export interface WorkspaceOptions {
    /** The project name (stack config keys are `<name>:<key>`). */
    readonly project: string;
    /** The program's entry file (`index.ts`, `bin/index.js`) in its project (`package.json`, `node_modules`). */
    readonly program: string;
    /** `runtime.options.typescript` (the stack program is TypeScript run by ts-node). */
    readonly typescript?: boolean;
    /** The stack name. Default `engine`. */
    readonly stack?: string;
    /** Where `Pulumi.yaml` goes: a user's project folder (beside its `package.json`). Default a temporary folder. */
    readonly projectDir?: string;
    /**
     * The whole `Pulumi.yaml` instead of a Node.js one running `program` (a Python or YAML project; its `name` is
     * `project`).
     */
    readonly projectFile?: Record<string, unknown>;
    /** Directories put first on the CLI's PATH (a Python virtualenv's bin, a plugin launcher). */
    readonly path?: readonly string[];
}

export class EngineWorkspace {
    readonly dir: string;
    readonly stack: string;
    private readonly projectDir: string;
    private readonly env: NodeJS.ProcessEnv;
    private readonly pulumiPath: string;

    constructor(readonly options: WorkspaceOptions) {
        const pulumi = pulumiBinary();
        if (!pulumi) throw new Error("no pulumi CLI: run scripts/engine-tools.sh (or install the Pulumi CLI)");
        this.pulumiPath = pulumi;
        this.stack = options.stack ?? "engine";
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "dify-engine-"));
        this.projectDir = options.projectDir ?? path.join(this.dir, "project");
        const project = this.projectDir;
        fs.mkdirSync(project, { recursive: true });
        fs.mkdirSync(path.join(this.dir, "state"));
        fs.mkdirSync(path.join(this.dir, "home"));
        const main = path.relative(project, options.program) || ".";
        fs.writeFileSync(
            path.join(project, "Pulumi.yaml"),
            YAML.stringify(
                options.projectFile
                    ? { ...options.projectFile, name: options.project }
                    : {
                          name: options.project,
                          runtime: { name: "nodejs", options: { typescript: options.typescript ?? false } },
                          main,
                      },
            ),
        );
        const bin = path.dirname(pulumi);
        const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|PULUMI_)/i.test(k)));
        this.env = {
            ...env,
            PATH: [...(options.path ?? []), bin, engineToolsBinDir(), process.env.PATH ?? ""].join(path.delimiter),
            PULUMI_HOME: path.join(this.dir, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            // The built tools have no network to fetch plugins from, and need none (the Kubernetes provider is beside
            // the CLI); an ordinary Pulumi CLI installs what it needs, as it does for users.
            ...(bin === engineToolsBinDir() ? { PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" } : {}),
            PULUMI_SKIP_CONFIRMATIONS: "true",
            // A type-checked TypeScript program is what users run; ts-node's check is slow but real.
            NO_COLOR: "1",
        };
    }

    /** The project directory (Pulumi.yaml, Pulumi.<stack>.yaml). */
    get project(): string {
        return this.projectDir;
    }

    /** Runs `pulumi <args>` in the project; never throws. */
    pulumi(args: readonly string[], opts: { readonly input?: string; readonly env?: Record<string, string> } = {}): Promise<PulumiResult> {
        return new Promise((resolve) => {
            const child = execFile(
                this.pulumiPath,
                [...args, "--non-interactive"],
                { cwd: this.project, env: { ...this.env, ...opts.env }, maxBuffer: 256 * 1024 * 1024, timeout: 15 * 60_000 },
                (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
            );
            if (opts.input !== undefined) child.stdin?.end(opts.input);
        });
    }

    /** `pulumi <args>`, failing with the whole output when it exits non-zero. */
    async ok(args: readonly string[], opts: { readonly env?: Record<string, string> } = {}): Promise<string> {
        const r = await this.pulumi(args, opts);
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
        return r.stdout;
    }

    /** `pulumi stack init`, then the stack's plain config (`<project>:<key>` → value, objects as YAML). */
    async init(config: Record<string, unknown>): Promise<void> {
        await this.ok(["stack", "init", this.stack]);
        const file = path.join(this.project, `Pulumi.${this.stack}.yaml`);
        const existing = fs.existsSync(file) ? (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) : {};
        const entries = Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${this.options.project}:${k}`, v]);
        fs.writeFileSync(file, YAML.stringify({ ...existing, config: { ...(existing.config ?? {}), ...Object.fromEntries(entries) } }));
    }

    /** `pulumi config set --secret --path <key> <value>`. */
    async setSecret(pathKey: string, value: string): Promise<void> {
        await this.ok(["config", "set", "--secret", "--path", pathKey, value]);
    }

    /** The stack file as written (with secrets encrypted). */
    stackFile(): string {
        return fs.readFileSync(path.join(this.project, `Pulumi.${this.stack}.yaml`), "utf8");
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
