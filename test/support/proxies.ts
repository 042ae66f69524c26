// Loopback proxies for fault and observation tests: an HTTP proxy that records (and can corrupt or throttle)
// requests to a plain-HTTP registry, and a TCP proxy that cuts a connection in the middle of a large response.
import * as http from "node:http";
import * as net from "node:net";
import { Transform } from "node:stream";

export interface SeenRequest {
    readonly method: string;
    readonly path: string; // path + query
    readonly status: number;
}

export interface HttpProxyOptions {
    /** True for requests whose 200 response body should have one byte flipped (same length, wrong digest). */
    readonly corrupt?: (method: string, path: string) => boolean;
    /** Answer instead of the registry (e.g. 429 + Retry-After); undefined forwards the request. */
    readonly intercept?: (method: string, path: string) => { status: number; headers?: Record<string, string> } | undefined;
}

export interface RunningProxy {
    readonly host: string; // 127.0.0.1:PORT
    readonly requests: SeenRequest[];
    stop(): Promise<void>;
}

export interface RecordingProxy extends RunningProxy {
    /** Most requests open at the same time (request received → response finished). */
    readonly maxInFlight: () => number;
    /** TCP connections accepted: few, with many requests, means keep-alive works. */
    readonly connections: () => number;
}

async function listen(server: net.Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** An HTTP/1.1 reverse proxy to `upstream` (host:port). The Host header is kept, so the registry's Location URLs point back here. */
export async function startHttpProxy(upstream: string, opts: HttpProxyOptions = {}): Promise<RecordingProxy> {
    const [upstreamHost, upstreamPort] = upstream.split(":");
    const agent = new http.Agent({ keepAlive: true });
    const requests: SeenRequest[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let connections = 0;
    const server = http.createServer((req, res) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        res.once("close", () => inFlight--);
        const method = req.method ?? "GET";
        const path = req.url ?? "/";
        const injected = opts.intercept?.(method, path);
        if (injected) {
            requests.push({ method, path, status: injected.status });
            req.resume();
            res.writeHead(injected.status, { "content-length": "0", ...injected.headers }).end();
            return;
        }
        const up = http.request({ host: upstreamHost, port: Number(upstreamPort), method, path, headers: req.headers, agent }, (upRes) => {
            const status = upRes.statusCode ?? 0;
            requests.push({ method, path, status });
            res.writeHead(status, upRes.headers);
            if (status === 200 && opts.corrupt?.(method, path)) upRes.pipe(flipFirstByte()).pipe(res);
            else upRes.pipe(res);
        });
        up.on("error", () => res.destroy());
        req.pipe(up);
    });
    server.on("connection", () => connections++);
    const host = await listen(server);
    return {
        host,
        requests,
        maxInFlight: () => maxInFlight,
        connections: () => connections,
        async stop() {
            server.closeAllConnections();
            agent.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}

function flipFirstByte(): Transform {
    let done = false;
    return new Transform({
        transform(chunk: Buffer, _enc, callback) {
            if (!done && chunk.length > 0) {
                done = true;
                const copy = Buffer.from(chunk);
                copy[0] ^= 0xff;
                return callback(null, copy);
            }
            callback(null, chunk);
        },
    });
}

export interface CuttingProxy extends RunningProxy {
    /** Connections cut so far. */
    readonly cuts: () => number;
}

/**
 * A TCP proxy to `upstream` that resets the first `maxCuts` connections whose response stream passes `cutAfter` bytes —
 * only blob bodies are that large, so the cut lands in the middle of a blob.
 */
export async function startCuttingProxy(upstream: string, cutAfter: number, maxCuts = 1): Promise<CuttingProxy> {
    const [upstreamHost, upstreamPort] = upstream.split(":");
    let cuts = 0;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
        const server = net.connect(Number(upstreamPort), upstreamHost);
        sockets.add(client).add(server);
        let received = 0;
        client.pipe(server);
        server.on("data", (chunk: Buffer) => {
            received += chunk.length;
            if (cuts < maxCuts && received > cutAfter) {
                cuts++;
                // Forward part of this chunk, then a TCP reset: the client sees ECONNRESET mid-body.
                client.write(chunk.subarray(0, chunk.length >> 1), () => client.resetAndDestroy());
                server.destroy();
                return;
            }
            if (!client.write(chunk)) server.pause();
        });
        client.on("drain", () => server.resume());
        const close = () => {
            client.destroy();
            server.destroy();
            sockets.delete(client);
            sockets.delete(server);
        };
        server.on("end", () => client.end());
        server.on("error", close);
        client.on("error", close);
        client.on("close", close);
    });
    const host = await listen(server);
    return {
        host,
        requests: [],
        cuts: () => cuts,
        async stop() {
            for (const s of sockets) s.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}

/**
 * A TCP proxy to `upstream` that resets the first connection whose *request* stream (client to server) passes
 * `cutAfter` bytes: only blob uploads are that large, so the cut lands in the middle of an upload.
 */
export async function startUploadCuttingProxy(upstream: string, cutAfter: number): Promise<CuttingProxy> {
    const [upstreamHost, upstreamPort] = upstream.split(":");
    let cuts = 0;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
        const server = net.connect(Number(upstreamPort), upstreamHost);
        sockets.add(client).add(server);
        let sent = 0;
        server.pipe(client);
        client.on("data", (chunk: Buffer) => {
            sent += chunk.length;
            if (cuts === 0 && sent > cutAfter) {
                cuts++;
                server.write(chunk.subarray(0, chunk.length >> 1), () => {
                    server.resetAndDestroy();
                    client.resetAndDestroy();
                });
                return;
            }
            if (!server.write(chunk)) client.pause();
        });
        server.on("drain", () => client.resume());
        const close = () => {
            client.destroy();
            server.destroy();
            sockets.delete(client);
            sockets.delete(server);
        };
        client.on("end", () => server.end());
        server.on("error", close);
        client.on("error", close);
        client.on("close", close);
        server.on("close", close);
    });
    const host = await listen(server);
    return {
        host,
        requests: [],
        cuts: () => cuts,
        async stop() {
            for (const s of sockets) s.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}
