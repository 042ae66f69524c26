/**
 * What this project knows about the Dify chart, read from each version's own values: the `plugin_connector` defaults
 * of a version (`defaults/`, with the exact-version table), the images a version names (`images.ts`), and the
 * `generatorConf` document inside it (`generatorConf.ts`). No Pulumi, no network.
 */
export * from "./defaults";
export { allChartImages, chartImageSet, loadChartValues } from "./images";
export type { ChartImageSetOptions, ChartValuesImages } from "./images";
export { editGeneratorConf, parseGeneratorConf } from "./generatorConf";
export type { GeneratorConf, GeneratorConfEdit } from "./generatorConf";
export { isPlainObject } from "./values";
export type { Values } from "./values";
