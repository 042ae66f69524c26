// Child process of shapingProxyProcess.ts: runs one shaping proxy and answers "stats" over IPC.
import { startShapingProxy } from "./shapingProxy";

async function run(): Promise<void> {
    const [upstream, options] = process.argv.slice(2);
    const proxy = await startShapingProxy(upstream, JSON.parse(options));
    process.on("message", () => process.send?.({ sentByDigest: Object.fromEntries(proxy.sentByDigest), cuts: proxy.cuts() }));
    process.send?.({ host: proxy.host });
    process.on("disconnect", () => process.exit(0));
}

void run();
