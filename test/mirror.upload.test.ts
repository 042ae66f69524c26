// The blob upload's writes against a real docker-registry: the source's small reads reach the target as 1 MiB
// writes (one per block, not one per 16 KiB TLS read), byte for byte, and the registry commits the blob.
import * as assert from "node:assert/strict";
import { Readable, Transform } from "node:stream";
import { uploadResumable } from "../engines/oci/blobUpload";
import { HttpTransport, readBody } from "../engines/oci/http";
import { RegistryClient } from "../engines/oci/registryClient";
import { DEFAULT_RETRY_POLICY } from "../engines/oci/retry";
import { INSTALL_HINT, registryAvailable, startRegistry, type RunningRegistry } from "./support/registry";
import { seededBytes } from "./support/seededData";
import { digestOf } from "./support/testImages";

const MiB = 1024 * 1024;

describe("live: mirror blob upload writes", function () {
    this.timeout(60_000);
    let target: RunningRegistry | undefined;
    let transport: HttpTransport | undefined;

    before(async () => {
        assert.ok(registryAvailable(), `docker-registry/skopeo missing; run: ${INSTALL_HINT}`);
        target = await startRegistry();
        transport = new HttpTransport({ connections: { [target.host]: { insecure: true } } });
    });
    after(async () => {
        transport?.close();
        await target?.stop();
    });

    it("sends a source read in 16 KiB chunks as 1 MiB writes, and the registry commits the exact bytes", async () => {
        const size = 3 * MiB + 512 * 1024 + 100;
        const data = seededBytes("upload-blocks", size);
        const digest = digestOf(data);
        const chunks: Buffer[] = [];
        for (let at = 0; at < size; at += 16 * 1024) chunks.push(data.subarray(at, at + 16 * 1024));
        const client = new RegistryClient(target!.host, target!.host, { transport: transport!, retry: DEFAULT_RETRY_POLICY });
        // What the request body hands to the socket, chunk by chunk (a pass-through keeps chunks as they are).
        const writes: number[] = [];
        const patch = client.patchUpload.bind(client);
        client.patchUpload = (repository, location, start, total, body, d) => {
            const tap = new Transform({
                transform(chunk: Buffer, _e, callback) {
                    writes.push(chunk.length);
                    callback(null, chunk);
                },
            });
            body.on("error", (err) => tap.destroy(err));
            return patch(repository, location, start, total, body.pipe(tap), d);
        };
        const location = await client.startUpload("up/blocks");
        await uploadResumable({
            client,
            repository: "up/blocks",
            location,
            digest,
            size,
            body: Readable.from(chunks),
            retry: DEFAULT_RETRY_POLICY,
            what: "upload",
        });
        assert.deepEqual(writes, [MiB, MiB, MiB, 512 * 1024 + 100]);
        const res = await client.openBlob("up/blocks", digest);
        assert.equal(res.status, 200);
        assert.equal(digestOf(await readBody(res, 8 * MiB)), digest);
    });
});
