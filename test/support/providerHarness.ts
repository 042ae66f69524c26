/**
 * The multi-language provider as the engine sees it: started as a process exactly as `npm run provider` does (the
 * port is the first line of stdout), called over gRPC with the stubs in `@pulumi/pulumi/proto`, and given a fake
 * engine + resource monitor of our own that records every RegisterResource and answers what a cloud would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as resrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";

const rpc = require("@pulumi/pulumi/runtime/rpc") as { deserializeProperties(s: structproto.Struct): Record<string, unknown> };

const ROOT = path.resolve(__dirname, "..", "..");
export const PROJECT = "dify-plugin-registry";
export const STACK = "test";
export const STACK_URN = `urn:pulumi:${STACK}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${STACK}`;

/** One RegisterResource the provider sent, its inputs deserialized as the mocks see theirs (secrets still wrapped). */
export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly parent: string;
    readonly custom: boolean;
    /** The `version` option: the plugin version the engine must serve the resource with ("" when unset). */
    readonly version: string;
    readonly inputs: Record<string, unknown>;
    /** The URNs the resource depends on (`dependsOn` and its inputs' dependencies). */
    readonly dependencies: readonly string[];
    /** Per input property, the URNs its value depended on. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

/** What a resource's creation answers besides its inputs (an ARN), by type; the default is its inputs. */
export type ResourceAnswers = Record<
    string,
    (name: string, inputs: Record<string, unknown>) => { id?: string; state?: Record<string, unknown> }
>;

/** The fake engine and resource monitor on one port. */
export class FakeEngine {
    readonly registrations: Registration[] = [];
    readonly outputs = new Map<string, Record<string, unknown>>();
    readonly logs: string[] = [];
    private server = new grpc.Server();
    address = "";

    constructor(private readonly answers: ResourceAnswers = {}) {}

    async start(): Promise<void> {
        this.server.addService(resrpc.ResourceMonitorService, {
            supportsFeature: (call: any, cb: any) => {
                // As the SDK's own mocks: output values off, so inputs arrive in the form the mocks record.
                const resp = new resproto.SupportsFeatureResponse();
                resp.setHassupport(call.request.getId() !== "outputValues");
                cb(null, resp);
            },
            registerResource: (call: any, cb: any) => {
                const req = call.request as resproto.RegisterResourceRequest;
                const parent = req.getParent();
                const inputs = rpc.deserializeProperties(req.getObject() ?? new structproto.Struct());
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((deps, key) => {
                    propertyDependencies[key] = deps.getUrnsList();
                });
                this.registrations.push({
                    type: req.getType(),
                    name: req.getName(),
                    parent,
                    custom: req.getCustom(),
                    version: req.getVersion(),
                    inputs,
                    dependencies: req.getDependenciesList(),
                    propertyDependencies,
                });
                const parentTypes = parent ? parent.split("::")[2] : "";
                const qualified =
                    parentTypes && !parentTypes.startsWith("pulumi:pulumi:Stack") ? `${parentTypes}$${req.getType()}` : req.getType();
                const resp = new resproto.RegisterResourceResponse();
                resp.setUrn(`urn:pulumi:${STACK}::${PROJECT}::${qualified}::${req.getName()}`);
                const raw = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
                const answer = this.answers[req.getType()]?.(req.getName(), inputs) ?? {};
                resp.setId(req.getCustom() ? (answer.id ?? `${req.getName()}-id`) : "");
                resp.setObject(structproto.Struct.fromJavaScript({ ...raw, ...answer.state } as any));
                cb(null, resp);
            },
            registerResourceOutputs: (call: any, cb: any) => {
                const req = call.request as resproto.RegisterResourceOutputsRequest;
                this.outputs.set(req.getUrn(), rpc.deserializeProperties(req.getOutputs() ?? new structproto.Struct()));
                cb(null, new emptyproto.Empty());
            },
            invoke: (call: any, cb: any) => {
                cb({ code: grpc.status.UNIMPLEMENTED, details: `the fake monitor answers no invoke (${call.request.getTok()})` });
            },
        });
        this.server.addService(engrpc.EngineService, {
            log: (call: any, cb: any) => {
                this.logs.push(`${call.request.getSeverity()}: ${call.request.getMessage()}`);
                cb(null, new emptyproto.Empty());
            },
            getRootResource: (_call: any, cb: any) => {
                const resp = new engproto.GetRootResourceResponse();
                resp.setUrn(STACK_URN);
                cb(null, resp);
            },
            setRootResource: (_call: any, cb: any) => cb(null, new engproto.SetRootResourceResponse()),
        });
        const port = await new Promise<number>((resolve, reject) =>
            this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
        );
        this.address = `127.0.0.1:${port}`;
    }

    /** Registrations of custom resources and components other than the one constructed. */
    children(): Registration[] {
        return this.registrations.slice(1);
    }

    reset(): void {
        this.registrations.length = 0;
        this.outputs.clear();
        this.logs.length = 0;
    }

    stop(): void {
        this.server.forceShutdown();
    }
}

/** The command `npm run provider` runs, with the engine's address appended (what the engine passes). */
export function providerCommand(engineAddress: string): { command: string; args: string[] } {
    const script: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.provider;
    const [command, ...args] = script.split(/\s+/);
    return { command: command === "node" ? process.execPath : command, args: [...args, engineAddress] };
}

/** The provider process and a gRPC client connected to it. */
export class ProviderProcess {
    readonly client: provrpc.ResourceProviderClient;
    stderr = "";

    private constructor(
        readonly child: ChildProcess,
        readonly port: number,
        readonly firstLine: string,
    ) {
        this.client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    }

    /** Starts `npm run provider`'s command and waits for the port on the first line of stdout. */
    static async start(engineAddress: string): Promise<ProviderProcess> {
        const { command, args } = providerCommand(engineAddress);
        return ProviderProcess.startCommand(command, args, ROOT);
    }

    /** Starts a provider with any command (an installed package's, say) and waits for its port. */
    static async startCommand(command: string, args: readonly string[], cwd: string): Promise<ProviderProcess> {
        const child = spawn(command, [...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (d) => {
            stderr += d;
        });
        const firstLine = await new Promise<string>((resolve, reject) => {
            let out = "";
            const onData = (d: Buffer) => {
                out += d;
                const nl = out.indexOf("\n");
                if (nl >= 0) {
                    child.stdout!.off("data", onData);
                    resolve(out.slice(0, nl));
                }
            };
            child.stdout!.on("data", onData);
            child.on("exit", (code) => reject(new Error(`provider exited (${code}) before printing its port:\n${stderr}`)));
        });
        const process_ = new ProviderProcess(child, Number(firstLine), firstLine);
        child.stderr!.on("data", (d) => {
            process_.stderr += d;
        });
        process_.stderr = stderr;
        return process_;
    }

    /** `GetSchema`, parsed. */
    schema(): Promise<any> {
        return new Promise((resolve, reject) =>
            this.client.getSchema(new provproto.GetSchemaRequest(), (err, resp) =>
                err ? reject(err) : resolve(JSON.parse(resp!.getSchema())),
            ),
        );
    }

    /** `Construct` of `type` named `name` with `inputs` already in wire form (secrets wrapped with the secret signature). */
    construct(
        engine: FakeEngine,
        type: string,
        name: string,
        inputs: Record<string, unknown>,
        options: {
            preview?: boolean;
            /** Per top-level input, the URNs its value depended on (as the engine reports them). */
            inputDependencies?: Record<string, string[]>;
            /** The component's `dependsOn`, as URNs. */
            dependsOn?: string[];
        } = {},
    ): Promise<Record<string, unknown>> {
        const req = new provproto.ConstructRequest();
        req.setProject(PROJECT);
        req.setStack(STACK);
        req.setOrganization("organization");
        req.setDryrun(options.preview ?? false);
        req.setParallel(4);
        req.setMonitorendpoint(engine.address);
        req.setType(type);
        req.setName(name);
        req.setParent(STACK_URN);
        req.setInputs(structproto.Struct.fromJavaScript(inputs as any));
        for (const [key, urns] of Object.entries(options.inputDependencies ?? {})) {
            const deps = new provproto.ConstructRequest.PropertyDependencies();
            deps.setUrnsList(urns);
            req.getInputdependenciesMap().set(key, deps);
        }
        req.setDependenciesList(options.dependsOn ?? []);
        return new Promise((resolve, reject) =>
            this.client.construct(req, (err, resp) =>
                err
                    ? reject(err)
                    : resolve({ urn: resp!.getUrn(), ...rpc.deserializeProperties(resp!.getState() ?? new structproto.Struct()) }),
            ),
        );
    }

    stop(): void {
        this.client.close();
        if (this.child.exitCode === null) {
            this.child.kill();
        }
    }
}

/** Wire form of a secret value, as the engine sends it. */
export function secretValue(value: unknown): Record<string, unknown> {
    return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

/** Wire form of a value not known yet (a preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Wire form of an output value (what an SDK that keeps Outputs sends): known, secret or not, with its dependencies. */
export function outputValue(value: unknown, secret = false, dependencies?: string[]): Record<string, unknown> {
    return {
        "4dabf18193072939515e22adb298388d": "d0e6a833031e9bbcd3f4e8bde6ca49a4",
        value,
        secret,
        ...(dependencies ? { dependencies } : {}),
    };
}
