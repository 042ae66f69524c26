/**
 * Prints the TCR providers as Pulumi's closure serialization writes them into the state, as JSON `{ namespace, token }`.
 * Run by test/tcr.provider.test.ts under ts-node, the TypeScript runtime the Pulumi CLI uses for programs.
 */
import * as pulumi from "@pulumi/pulumi";
import { tcrNamespaceProvider, tcrTokenProvider } from "../../components/resources/tcr/provider";

async function main(): Promise<void> {
    // The same call pulumi.dynamic.Resource makes for its __provider input.
    const serialize = async (provider: object) => (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
    process.stdout.write(JSON.stringify({ namespace: await serialize(tcrNamespaceProvider), token: await serialize(tcrTokenProvider) }));
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
