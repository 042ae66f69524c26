/**
 * The resource CRUD calls the engine makes on a provider (Check, Diff, Create, Read, Update, Delete), over gRPC with
 * the stubs in `@pulumi/pulumi/proto`, properties in wire form (secrets in the engine's envelope).
 */
import type * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import type { ProviderProcess } from "./providerHarness";

type Props = Record<string, any>;

const SIG = "4dabf18193072939515e22adb298388d";
/** A secret as the provider returns it: the engine's envelope. */
export const isSecret = (v: unknown) => typeof v === "object" && v !== null && (v as Props)[SIG] === "1b47061264138c4ac30d75fd1eb44270";
/** A URN of a top-level resource of `token` in the test stack. */
export const urnOf = (token: string, name: string) => `urn:pulumi:test::dify-plugin-registry::${token}::${name}`;
const struct = (props: Props) => structproto.Struct.fromJavaScript(props);

/** The CRUD calls of the engine, over gRPC. */
export class Crud {
    constructor(private readonly provider: ProviderProcess) {}

    private call<T>(method: string, req: unknown, read: (resp: any) => T): Promise<T> {
        return new Promise((resolve, reject) =>
            (this.provider.client as any)[method](req, (err: grpc.ServiceError | null, resp: any) =>
                err ? reject(err) : resolve(read(resp)),
            ),
        );
    }

    check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const req = new provproto.CheckRequest();
        req.setUrn(urn);
        req.setOlds(struct(olds));
        req.setNews(struct(news));
        return this.call("check", req, (r) => ({
            inputs: r.getInputs().toJavaScript(),
            failures: r.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
        }));
    }

    diff(urn: string, id: string, olds: Props, news: Props): Promise<"none" | "some" | "unknown"> {
        const req = new provproto.DiffRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setOlds(struct(olds));
        req.setNews(struct(news));
        const names: Record<number, string> = {
            [provproto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
            [provproto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
        };
        return this.call("diff", req, (r) => (names[r.getChanges()] ?? "unknown") as "none" | "some" | "unknown");
    }

    create(urn: string, props: Props): Promise<{ id: string; outs: Props }> {
        const req = new provproto.CreateRequest();
        req.setUrn(urn);
        req.setProperties(struct(props));
        return this.call("create", req, (r) => ({ id: r.getId(), outs: r.getProperties().toJavaScript() }));
    }

    read(urn: string, id: string, props: Props): Promise<{ id: string; props: Props }> {
        const req = new provproto.ReadRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setProperties(struct(props));
        return this.call("read", req, (r) => ({ id: r.getId(), props: r.getProperties()?.toJavaScript() ?? {} }));
    }

    update(urn: string, id: string, olds: Props, news: Props): Promise<Props> {
        const req = new provproto.UpdateRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setOlds(struct(olds));
        req.setNews(struct(news));
        return this.call("update", req, (r) => r.getProperties().toJavaScript());
    }

    delete(urn: string, id: string, props: Props): Promise<void> {
        const req = new provproto.DeleteRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setProperties(struct(props));
        return this.call("delete", req, () => undefined);
    }
}
