/**
 * The image mirror as a Pulumi dynamic resource (`ImageMirror`) and its provider, on the OCI engine in `engines/oci`
 * (which imports no Pulumi itself, so the CLI can load it alone).
 */
export { ImageMirror } from "./resource";
export type { ImageMirrorArgs } from "./resource";
export { imageMirrorProvider } from "./provider";
export type { ImageMirrorInputs, ImageMirrorOutputs, MirroredImage, MirrorRegistrySettings } from "./provider";
