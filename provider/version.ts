import * as fs from "node:fs";
import * as path from "node:path";

/** The package version: the npm package's. */
export function packageVersion(): string {
    // dist/provider/version.js and provider/version.ts are both two levels under the package root's package.json.
    for (const dir of [path.join(__dirname, ".."), path.join(__dirname, "..", "..")]) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file)) {
            return JSON.parse(fs.readFileSync(file, "utf8")).version;
        }
    }
    return "0.0.0";
}
