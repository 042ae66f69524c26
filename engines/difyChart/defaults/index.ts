/**
 * A chart version's `plugin_connector` defaults, read from that version's own values: `chart.defaultValues`, else
 * the exact-version table. The component needs them only to move or change helper images and build bases.
 */
export { ChartDefaults, HelperImages, PythonDefaults, HELPER_IMAGE_KEYS } from "./types";
export { ChartValuesError, defaultsFromValues, defaultValuesExcerpt, parseChartValues } from "./fromValues";
export { SEMVER, compareVersions, defaultsForChartVersion, knownChartVersions, tableValuesFor } from "./table";
