// A loopback HTTP proxy that makes a plain-HTTP registry look far away: a bandwidth cap per connection and one for all
// connections, added latency per request and per response, a mode that cuts one named blob's connection once after N
// of its bytes, and one that strips `Range` (a registry that ignores it). It counts the blob bytes it sent, so a test
// or benchmark can tell a resumed download (≈ 1× the blob) from a restarted one (≈ 1.8× after a cut at 80 %).
import * as http from "node:http";
import type * as net from "node:net";

export interface ShapingOptions {
    /** Response bytes per second per TCP connection; unset = unlimited. */
    readonly perConnectionBytesPerSec?: number;
    /** Response bytes per second over all connections; unset = unlimited. */
    readonly totalBytesPerSec?: number;
    /** Added before a request is forwarded and again before its response starts (one way each). */
    readonly latencyMs?: number;
    /** Cut the connection carrying this blob once, when `afterBytes` of it (over all its responses) have been sent. */
    readonly cut?: {
        readonly digest: string;
        readonly afterBytes: number;
        /** `reset` (default): a TCP reset, bytes still in socket buffers are lost. `end`: every byte sent arrives, then the connection closes early. */
        readonly how?: "reset" | "end";
    };
    /** Forward blob GETs without their `Range` header: the registry answers 200 with the whole blob. */
    readonly stripRange?: boolean;
}

export interface ShapingProxy {
    readonly host: string; // 127.0.0.1:PORT
    /** Blob body bytes sent, by digest, over every response (re-sent bytes count again). */
    readonly sentByDigest: Map<string, number>;
    /** Blob GETs seen: digest and the Range header they carried (before any stripping). */
    readonly blobGets: { readonly digest: string; readonly range?: string; readonly status: number }[];
    /** Connections cut by the `cut` mode (0 or 1). */
    readonly cuts: () => number;
    /** Requests still open (received, response not finished). */
    readonly open: () => number;
    /** Every request seen (method and path), in arrival order. */
    readonly requests: { readonly method: string; readonly path: string; readonly at: number }[];
    stop(): Promise<void>;
}

const SLICE = 16 * 1024;
/** How far a rate clock may lag behind now: absorbs timer lateness without allowing bursts. */
const SLACK_MS = 50;

/** A virtual clock per rate: each slice advances it by its transmission time; a slice waits until every clock allows. */
interface RateClock {
    next: number;
    readonly bytesPerMs: number;
}

function reserve(clock: RateClock | undefined, bytes: number, now: number): number {
    if (!clock) return now;
    clock.next = Math.max(clock.next, now - SLACK_MS) + bytes / clock.bytesPerMs;
    return clock.next;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the proxy in front of `upstream` (host:port, plain HTTP). The Host header is kept. */
export async function startShapingProxy(upstream: string, options: ShapingOptions = {}): Promise<ShapingProxy> {
    const [upstreamHost, upstreamPort] = upstream.split(":");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const sentByDigest = new Map<string, number>();
    const blobGets: { digest: string; range?: string; status: number }[] = [];
    const requests: { method: string; path: string; at: number }[] = [];
    const perSocket = new WeakMap<net.Socket, RateClock>();
    const total: RateClock | undefined = options.totalBytesPerSec ? { next: 0, bytesPerMs: options.totalBytesPerSec / 1000 } : undefined;
    const latency = options.latencyMs ?? 0;
    let cuts = 0;
    let open = 0;

    const clockOf = (socket: net.Socket): RateClock | undefined => {
        if (!options.perConnectionBytesPerSec) return undefined;
        let clock = perSocket.get(socket);
        if (!clock) {
            clock = { next: 0, bytesPerMs: options.perConnectionBytesPerSec / 1000 };
            perSocket.set(socket, clock);
        }
        return clock;
    };

    const server = http.createServer(async (req, res) => {
        open++;
        res.once("close", () => open--);
        const method = req.method ?? "GET";
        const path = req.url ?? "/";
        requests.push({ method, path, at: performance.now() });
        const blob = /^\/v2\/.+\/blobs\/(sha256:[0-9a-f]{64})/.exec(path);
        const digest = method === "GET" && blob ? blob[1] : undefined;
        const headers = { ...req.headers };
        const range = typeof headers.range === "string" ? headers.range : undefined;
        if (digest && options.stripRange) delete headers.range;
        if (latency > 0) await sleep(latency);
        const up = http.request({ host: upstreamHost, port: Number(upstreamPort), method, path, headers, agent }, async (upRes) => {
            const status = upRes.statusCode ?? 0;
            if (digest) blobGets.push({ digest, range, status });
            if (latency > 0) await sleep(latency);
            if (res.destroyed) {
                upRes.destroy();
                return;
            }
            res.writeHead(status, upRes.headers);
            const conn = clockOf(req.socket);
            try {
                for await (const chunk of upRes as AsyncIterable<Buffer>) {
                    for (let at = 0; at < chunk.length; at += SLICE) {
                        let slice = chunk.subarray(at, at + SLICE);
                        const now = performance.now();
                        const due = Math.max(reserve(conn, slice.length, now), reserve(total, slice.length, now));
                        if (due - now >= 1) await sleep(due - now);
                        let cutNow = false;
                        if (digest) {
                            const sent = sentByDigest.get(digest) ?? 0;
                            if (
                                options.cut &&
                                cuts === 0 &&
                                digest === options.cut.digest &&
                                sent + slice.length >= options.cut.afterBytes
                            ) {
                                slice = slice.subarray(0, Math.max(0, options.cut.afterBytes - sent));
                                cutNow = true;
                            }
                            sentByDigest.set(digest, sent + slice.length);
                        }
                        if (res.destroyed) throw new Error("client gone");
                        const flushed = res.write(slice);
                        if (cutNow) {
                            cuts++;
                            // Let the slice reach the socket, then reset: the client sees the connection drop mid-body.
                            await new Promise((resolve) => res.socket?.write("", () => resolve(undefined)) ?? resolve(undefined));
                            if (options.cut?.how === "end") (res.socket as net.Socket | null)?.end();
                            else (res.socket as net.Socket | null)?.resetAndDestroy();
                            throw new Error("cut");
                        }
                        if (!flushed) await new Promise((resolve) => res.once("drain", resolve));
                    }
                }
                res.end();
            } catch {
                upRes.destroy();
                res.destroy();
            }
        });
        up.on("error", () => res.destroy());
        req.pipe(up);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    return {
        host,
        sentByDigest,
        blobGets,
        requests,
        cuts: () => cuts,
        open: () => open,
        async stop() {
            server.closeAllConnections();
            agent.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}
