/**
 * The Dify chart into the mirror, a pure engine (no Pulumi): a pinned version from a classic Helm repository
 * (`index.yaml` + `.tgz`, digest checked) pushed to an OCI registry as the artifact `helm push` writes, over the OCI
 * engine's client (its logins, CAs and retries).
 *
 * ```ts
 * const result = await mirrorChart(
 *     { repository: "https://langgenius.github.io/dify-helm", chart: "dify", version: "3.9.1", target: chartMirrorTarget("harbor.example.com/dify-mirror") },
 *     { auth: "/path/config.json" },
 * );
 * // result.status: "copied" | "skipped" | "failed"; helm pull oci://harbor.example.com/dify-mirror/charts/dify --version 3.9.1
 * ```
 */
export { mirrorChart, chartMirrorTarget } from "./mirrorChart";
export type { ChartMirrorItem, ChartMirrorOptions, ChartMirrorResult } from "./mirrorChart";
export { chartTag, helmArtifact, helmConfig, HELM_MEDIA_TYPES } from "./helmArtifact";
export type { HelmArtifact, ArtifactBlob } from "./helmArtifact";
export { chartMetadata } from "./chartPackage";
export { findChartVersion, downloadChart } from "./helmRepository";
export type { ChartIndexEntry, HelmRepositoryAccess } from "./helmRepository";
