/** The fake TCR API every TCR component test runs against (test/tcr*.test.ts). */
import * as pulumi from "@pulumi/pulumi";
import { DifyPluginRegistryArgs, TcrRegistryArgs } from "../../components";
import { runDynamicProviders } from "./dynamicProviders";
import { FakeTcrApi } from "./fakeTcr";

/** The TCR Enterprise instance the fake API knows. */
export const INSTANCE = "tcr-abc12345";
/** Its region. */
export const REGION = "ap-guangzhou";
// Distinctive, so a match anywhere is a leak and not a coincidence.
/** API credentials the fake API accepts. */
export const SECRET_ID = "AKIDtcrcomponent0001";
/** The secret key paired with {@link SECRET_ID}. */
export const SECRET_KEY = "Sentinel-tcr-secretkey-93c1";

/** What a test reads from the fixture; fields are replaced before each test. */
export interface FakeTcr {
    /** The fake API, with one instance and the credentials above. */
    readonly api: FakeTcrApi;
    /** Its `http://127.0.0.1:PORT` address, for `apiEndpoint`. */
    readonly endpoint: string;
    /** Runs the registered dynamic providers as `pulumi up` would. */
    readonly dynamic: ReturnType<typeof runDynamicProviders>;
    /** Component arguments for a managed TCR registry against the fake API. */
    managed(over?: Partial<TcrRegistryArgs>): DifyPluginRegistryArgs;
}

/** Starts the fake API and the dynamic-provider runner before each test of the calling suite, stops them after. */
export function useFakeTcr(): FakeTcr {
    const state = {} as { api: FakeTcrApi; endpoint: string; dynamic: ReturnType<typeof runDynamicProviders> };
    beforeEach(async () => {
        state.api = new FakeTcrApi();
        state.endpoint = await state.api.start();
        state.api.credentials.set(SECRET_ID, SECRET_KEY);
        state.api.addInstance(INSTANCE, "acme", REGION);
        // The push check is run against real registries in test/check.component.test.ts; the fake TCR API is no registry.
        state.dynamic = runDynamicProviders({ skip: (name) => name.endsWith("-push-check") });
    });
    afterEach(async () => {
        state.dynamic.stop();
        await state.api.stop();
    });
    return {
        get api() {
            return state.api;
        },
        get endpoint() {
            return state.endpoint;
        },
        get dynamic() {
            return state.dynamic;
        },
        managed: (over = {}) => ({
            registry: {
                type: "tcr",
                instanceId: INSTANCE,
                region: REGION,
                namespace: "dify-plugins",
                apiEndpoint: state.endpoint,
                secretId: SECRET_ID,
                secretKey: pulumi.secret(SECRET_KEY),
                ...over,
            },
            chart: { version: "3.9.1" },
        }),
    };
}
