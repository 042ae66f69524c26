/**
 * Prints the push check's dynamic provider as Pulumi's closure serialization writes it into the state (JSON, one
 * string). Run by test/check.provider.test.ts under ts-node, the TypeScript runtime the Pulumi CLI uses for programs.
 */
import * as pulumi from "@pulumi/pulumi";
import { registryPushCheckProvider } from "../../components/resources/pushCheck/provider";

async function main(): Promise<void> {
    // The same call pulumi.dynamic.Resource makes for its __provider input.
    const serialized = await pulumi.runtime.serializeFunction(() => registryPushCheckProvider, { allowSecrets: true });
    process.stdout.write(JSON.stringify(serialized.text));
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
