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
 * A TCP proxy to `upstream` that resets the first `maxCuts` connections whose stream in one direction passes `cutAfter`
 * bytes: `"download"` counts the responses (only blob bodies are that large, so the cut lands in the middle of a
 * blob), `"upload"` the requests (the cut lands in the middle of an upload). Part of the chunk that crosses the line is
 * forwarded, then both sides are reset: the client sees ECONNRESET mid-body.
 */
export async function startCuttingProxy(
    upstream: string,
    cutAfter: number,
    options: { readonly direction?: "download" | "upload"; readonly maxCuts?: number } = {},
): Promise<CuttingProxy> {
    const [upstreamHost, upstreamPort] = upstream.split(":");
    const { direction = "download", maxCuts = 1 } = options;
    let cuts = 0;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
        const server = net.connect(Number(upstreamPort), upstreamHost);
        sockets.add(client).add(server);
        // `from` is the side whose bytes are counted, `to` where they go; the other direction is piped as it is.
        const [from, to] = direction === "download" ? [server, client] : [client, server];
        to.pipe(from);
        let passed = 0;
        from.on("data", (chunk: Buffer) => {
            passed += chunk.length;
            if (cuts < maxCuts && passed > cutAfter) {
                cuts++;
                to.write(chunk.subarray(0, chunk.length >> 1), () => {
                    to.resetAndDestroy();
                    from.resetAndDestroy();
                });
                return;
            }
            if (!to.write(chunk)) from.pause();
        });
        to.on("drain", () => from.resume());
        const close = () => {
            client.destroy();
            server.destroy();
            sockets.delete(client);
            sockets.delete(server);
        };
        from.on("end", () => to.end());
        for (const socket of [client, server]) {
            socket.on("error", close);
            socket.on("close", close);
        }
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

/** What {@link startSessionKeepingUploadProxy} saw. */
export interface SessionKeepingProxy extends RunningProxy {
    readonly cuts: () => number;
    /** Blob bytes received in PATCH bodies from the client, over all attempts. */
    readonly patchedBytes: () => number;
    /** Bytes the registry kept from the cut PATCH. */
    readonly keptAtCut: () => number;
}

/**
 * An HTTP proxy to a plain-HTTP registry that cuts the first PATCH larger than `cutAfter` after that many body bytes, as a far
 * link would — but hands the registry the bytes that arrived (a PATCH of exactly those, with its `Content-Range`), so
 * the session holds them, as a registry that keeps partial chunks does (distribution itself drops a session whose
 * PATCH was cut). The client can then ask the session's offset and go on from there.
 */
export async function startSessionKeepingUploadProxy(upstream: string, cutAfter: number): Promise<SessionKeepingProxy> {
    const [upstreamHost, upstreamPort] = upstream.split(":");
    const requests: SeenRequest[] = [];
    let cuts = 0;
    let patched = 0;
    let kept = 0;
    const agent = new http.Agent({ keepAlive: true });
    // distribution carries a session's offset in the `_state` of the Location each answer returns; a client cut off
    // never sees the new one. A registry that keeps sessions knows them by id: so requests for a session go to its
    // latest location.
    const latest = new Map<string, string>();
    const sessionOf = (url: string) => /\/blobs\/uploads\/([^/?]+)/.exec(url)?.[1];
    const forward = (req: http.IncomingMessage, headers: http.IncomingHttpHeaders, body: Buffer | http.IncomingMessage) =>
        new Promise<http.IncomingMessage>((resolve, reject) => {
            const session = sessionOf(req.url ?? "");
            const known = session === undefined ? undefined : latest.get(session);
            let path = req.url ?? "/";
            if (known !== undefined) {
                const url = new URL(path, "http://x");
                const state = new URL(known, "http://x").searchParams.get("_state");
                if (state !== null) url.searchParams.set("_state", state);
                path = url.pathname + url.search;
            }
            const up = http.request(
                { host: upstreamHost, port: Number(upstreamPort), method: req.method, path, headers, agent },
                (upRes) => {
                    const location = upRes.headers.location;
                    const moved = location === undefined ? undefined : sessionOf(location);
                    if (moved !== undefined) latest.set(moved, location!);
                    resolve(upRes);
                },
            );
            up.on("error", reject);
            if (Buffer.isBuffer(body)) up.end(body);
            else body.pipe(up);
        });
    const server = http.createServer(async (req, res) => {
        const isPatch = req.method === "PATCH" && (req.url ?? "").includes("/blobs/uploads/");
        try {
            if (isPatch && cuts === 0 && Number(req.headers["content-length"]) > cutAfter) {
                // Read up to the cut, then drop the client and give the registry what arrived.
                const socket = req.socket; // leaving the loop below destroys the request, which lets go of it
                const chunks: Buffer[] = [];
                let got = 0;
                for await (const chunk of req as AsyncIterable<Buffer>) {
                    const take = chunk.subarray(0, Math.max(0, cutAfter - got));
                    chunks.push(take);
                    got += take.length;
                    patched += take.length;
                    if (got >= cutAfter) break;
                }
                cuts++;
                const start = Number(/^(\d+)-/.exec(String(req.headers["content-range"] ?? "0-"))?.[1] ?? 0);
                const { "content-length": _l, "content-range": _r, ...rest } = req.headers;
                const upRes = await forward(
                    req,
                    { ...rest, "content-length": String(got), "content-range": `${start}-${start + got - 1}` },
                    Buffer.concat(chunks),
                );
                upRes.resume();
                if (upRes.statusCode === 202) kept = start + got;
                // Cut only now that the registry holds the bytes: the client's status request must find them.
                socket.destroy();
                requests.push({ method: "PATCH (cut)", path: req.url ?? "", status: upRes.statusCode ?? 0 });
                return;
            }
            if (isPatch) req.on("data", (c: Buffer) => (patched += c.length));
            const upRes = await forward(req, req.headers, req);
            requests.push({ method: req.method ?? "", path: req.url ?? "", status: upRes.statusCode ?? 0 });
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
        } catch {
            res.destroy();
        }
    });
    const host = await listen(server);
    return {
        host,
        requests,
        cuts: () => cuts,
        patchedBytes: () => patched,
        keptAtCut: () => kept,
        async stop() {
            server.closeAllConnections();
            agent.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}
