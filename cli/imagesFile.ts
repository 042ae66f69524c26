/** `--images-file FILE`: one image reference per line; blank lines and `#` comments are skipped. */
import { parseRemoteImage } from "../engines/oci";
import { readUserFile, userPath } from "./paths";
import { UsageError } from "./usageError";

/**
 * The references of an images file (`file` as given, `resolved` its absolute path); a usage error names the file (and
 * the line of a bad reference).
 */
export function readImagesFile(file: string, resolved: string = userPath(file)): string[] {
    const text = readUserFile("--images-file", file, resolved);
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
