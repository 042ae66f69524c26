// npm run synth -- --stack <name>: evaluate the stack program offline and print what it would create.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { formatSynth, synthStack } from "../program/offline/synth";
import { listStacks, readStackFile, stackFilePath } from "../program/offline/stackFile";

async function main(): Promise<number> {
    const root = path.resolve(__dirname, "..");
    const stacks = listStacks(root);
    const usage =
        `usage: npm run synth -- --stack <name>   (stacks: ${stacks.join(", ")})\n\n` +
        "Evaluates the stack program offline with stacks/Pulumi.<name>.yaml and prints what it would create; no Pulumi\n" +
        "CLI, cloud or cluster is needed. Exit 0 on success, 1 when the config is invalid, 2 for usage errors.\n\n" +
        "  -s, --stack <name>   the stack file to read (required)\n" +
        "  -h, --help           this text\n";
    let values: { stack?: string; help?: boolean };
    try {
        ({ values } = parseArgs({
            options: { stack: { type: "string", short: "s" }, help: { type: "boolean", short: "h" } },
            allowPositionals: false,
        }));
    } catch (err) {
        process.stderr.write(`synth: ${(err as Error).message}\n${usage}`);
        return 2;
    }
    if (values.help) {
        process.stdout.write(usage);
        return 0;
    }
    if (!values.stack) {
        process.stderr.write(usage);
        return 2;
    }
    const file = stackFilePath(root, values.stack);
    if (!fs.existsSync(file)) {
        process.stderr.write(`no stack file ${path.relative(root, file)}; stacks: ${stacks.join(", ")}\n`);
        return 2;
    }
    const config = readStackFile(file);
    try {
        const result = await synthStack(values.stack, config);
        process.stdout.write(formatSynth(values.stack, config, result));
        return 0;
    } catch (err) {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
    }
}

main().then((code) => process.exit(code));
