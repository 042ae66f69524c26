/**
 * A Helm chart repository on 127.0.0.1 serving the stand-in Dify chart (`test/engine/standin-chart/`, see its README):
 * `index.yaml` and `dify-<version>.tgz`, packaged with `tar` as `helm package` lays it out (the chart in a folder of its
 * name). The component's `chart.repository` points at `url`.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

const CHART_DIR = path.resolve(__dirname, "..", "engine", "standin-chart");

export interface ChartRepository {
    /** `http://127.0.0.1:<port>`: `chart.repository`. */
    readonly url: string;
    readonly name: string;
    readonly version: string;
    /** Paths requested, in order (`/index.yaml`, `/dify-3.9.1.tgz`). */
    readonly requests: readonly string[];
    /** The package's bytes, as served. */
    readonly tgz: Buffer;
    stop(): Promise<void>;
}

export interface ChartRepositoryOptions {
    /** Basic login the repository requires for every request. */
    readonly auth?: { readonly username: string; readonly password: string };
    /** The `digest` index.yaml states for the package (default: its real sha256). */
    readonly digest?: string;
}

export async function startChartRepository(options: ChartRepositoryOptions = {}): Promise<ChartRepository> {
    const chart = YAML.parse(fs.readFileSync(path.join(CHART_DIR, "dify", "Chart.yaml"), "utf8")) as { name: string; version: string };
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "chart-repo-"));
    const tgzName = `${chart.name}-${chart.version}.tgz`;
    execFileSync("tar", ["-czf", path.join(work, tgzName), "-C", CHART_DIR, chart.name]);
    const tgz = fs.readFileSync(path.join(work, tgzName));
    fs.rmSync(work, { recursive: true, force: true });
    const requests: string[] = [];
    let index = "";
    const server = http.createServer((req, res) => {
        requests.push(req.url ?? "");
        const expected = options.auth && `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString("base64")}`;
        if (expected !== undefined && req.headers.authorization !== expected) {
            res.writeHead(401, { "WWW-Authenticate": 'Basic realm="charts"' }).end();
            return;
        }
        if (req.url === "/index.yaml") {
            res.writeHead(200, { "Content-Type": "application/x-yaml" }).end(index);
        } else if (req.url === `/${tgzName}`) {
            res.writeHead(200, { "Content-Type": "application/gzip" }).end(tgz);
        } else {
            res.writeHead(404).end();
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    index = YAML.stringify({
        apiVersion: "v1",
        entries: {
            [chart.name]: [
                {
                    ...chart,
                    urls: [`${url}/${tgzName}`],
                    digest: options.digest ?? createHash("sha256").update(tgz).digest("hex"),
                    created: new Date(0).toISOString(),
                },
            ],
        },
        generated: new Date(0).toISOString(),
    });
    return {
        url,
        name: chart.name,
        version: chart.version,
        requests,
        tgz,
        stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}
