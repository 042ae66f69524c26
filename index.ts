// The stack program run by `pulumi up`: configuration lives in stacks/Pulumi.<stack>.yaml (see README).
import { runStack } from "./program/main";

const outputs = runStack();

export const namespace = outputs.namespace;
export const secretName = outputs.secretName;
export const imageRepoPrefix = outputs.imageRepoPrefix;
export const imageRepoType = outputs.imageRepoType;
export const pluginConnectorValues = outputs.pluginConnectorValues;
export const registryOutputs = outputs.registryOutputs;
