/** `--images-file FILE`: one image reference per line; blank lines and `#` comments are skipped. */
import * as fs from "node:fs";
import { parseRemoteImage } from "../engines/oci";
import { UsageError } from "./usageError";

/** The references of an images file; a usage error names the file (and the line of a bad reference). */
export function readImagesFile(file: string): string[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new UsageError(`--images-file ${file}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
    }
    const images: string[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = raw.replace(/(^|\s)#.*$/, "").trim();
        if (line === "") return;
        try {
            parseRemoteImage(line);
        } catch (e) {
            throw new UsageError(`--images-file ${file}:${i + 1}: ${(e as Error).message}`);
        }
        images.push(line);
    });
    if (images.length === 0) throw new UsageError(`--images-file ${file}: no image references in it`);
    return images;
}
