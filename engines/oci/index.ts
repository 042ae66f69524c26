/**
 * Image mirroring, a pure engine (no Pulumi, nothing Dify-specific; the Pulumi resource is `components/resources/imageMirror`): an OCI distribution client and copier (no well-kept npm library copies images between registries,
 * so this is our own, on node:http/https and node:crypto). Which images a Dify chart needs is `engines/difyChart/images.ts`.
 *
 * ```ts
 * const plan = planMirror(["nginx:1.29.4-alpine"], "harbor.example.com/dify-mirror");
 * const report = await mirrorImages(plan, { auth: "/path/config.json", concurrency: 8 });
 * // report.results[i].digest: pin the mirrored image by it
 * ```
 */
export { mirrorImages, summarize, DEFAULT_CONCURRENCY } from "./mirror";
export { planMirror } from "./imageSet";
export type { MirrorPlanItem, MirrorOptions, MirrorReport, ImageResult, ProgressEvent, BlobOutcome } from "./types";
export { RegistryClient } from "./registryClient";
export type { ManifestInfo, FetchedManifest } from "./registryClient";
export type { RegistryClientOptions } from "./registrySession";
export { HttpTransport } from "./http";
export type { RegistryConnection, TransportOptions } from "./http";
export { CredentialStore, loadCredentials, normalizeRegistryKey } from "./credentials";
export type { Credentials, AuthInput } from "./credentials";
export { parseWwwAuthenticate } from "./auth";
export type { Challenge } from "./auth";
export { parseRemoteImage, formatRemoteImage } from "./reference";
export type { RemoteImage } from "./reference";
export { parsePlatform, platformMatches } from "./platforms";
export { DEFAULT_RETRY_POLICY, isRetryable, parseRetryAfter } from "./retry";
export type { RetryPolicy } from "./retry";
export { Limiter } from "./limiter";
export {
    RegistryError,
    AuthenticationError,
    CertificateError,
    PlainHttpRefusedError,
    DigestMismatchError,
    UnsupportedManifestError,
} from "./errors";
export { MEDIA_TYPES } from "./manifest";
export type { Descriptor, Platform } from "./manifest";
export { openRangedBlob, DEFAULT_PART_SIZE, DEFAULT_PARTS_IN_FLIGHT } from "./rangedBlob";
export type { RangedBlob, RangedBlobOptions, RangeOpener } from "./rangedBlob";
