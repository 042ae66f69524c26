/**
 * Prints the image mirror's dynamic provider as Pulumi's closure serialization writes it into the state (JSON, one
 * string). Run by test/mirror.provider.test.ts under ts-node, the TypeScript runtime the Pulumi CLI uses for programs.
 */
import * as pulumi from "@pulumi/pulumi";
import { imageMirrorProvider } from "../../components/resources/imageMirror/provider";

async function main(): Promise<void> {
    // The same call pulumi.dynamic.Resource makes for its __provider input.
    const serialized = await pulumi.runtime.serializeFunction(() => imageMirrorProvider, { allowSecrets: true });
    process.stdout.write(JSON.stringify(serialized.text));
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
