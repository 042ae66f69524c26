/** Helpers to read what a component registered, shared by the registry kinds' tests. */
import * as assert from "node:assert/strict";
import { DockerConfig } from "../../components";
import { b64decode } from "./evaluate";
import { isSecretValue, RecordedResource } from "./mocks";

/** The one recorded resource of `type` (and `name`, when given). */
export function one(resources: readonly RecordedResource[], type: string, name?: string): RecordedResource {
    const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    assert.equal(found.length, 1, `expected one ${type}${name ? ` ${name}` : ""}, found ${found.length}`);
    return found[0];
}

/** `[type, name, parent]` of every resource, sorted by type and name: the shape of what was registered. */
export function byTypeAndName(resources: readonly RecordedResource[]): (string | undefined)[][] {
    return resources.map((r) => [r.type, r.name, r.parent]).sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
}

/**
 * image-repo-secret's docker config, parsed: checks the Secret's name and type, that its data is secret-wrapped, and
 * that it holds exactly `.dockerconfigjson` and `config.json` with the same content (kubelet reads one, kaniko the other).
 */
export function dockerConfigOf(resources: readonly RecordedResource[]): DockerConfig {
    const secret = one(resources, "kubernetes:core/v1:Secret");
    assert.equal((secret.inputs.metadata as { name?: string }).name, "image-repo-secret");
    assert.equal(secret.inputs.type, "kubernetes.io/dockerconfigjson");
    assert.ok(isSecretValue(secret.inputs.data), "image-repo-secret data is a secret");
    const data = secret.inputs.data.value as Record<string, string>;
    assert.deepEqual(Object.keys(data).sort(), [".dockerconfigjson", "config.json"]);
    assert.equal(data[".dockerconfigjson"], data["config.json"], "kubelet and kaniko read the same login");
    return JSON.parse(b64decode(data["config.json"])) as DockerConfig;
}

/** The `plugin_connector` block the component gave the Dify chart (helm.v4.Chart or helm.v3.Release), as is. */
export function connectorOf(resources: readonly RecordedResource[]): Record<string, unknown> {
    const charts = resources.filter((r) => r.type.startsWith("kubernetes:helm.sh/"));
    assert.equal(charts.length, 1, `expected one Dify chart, found ${charts.length}`);
    return (charts[0].inputs.values as { plugin_connector: Record<string, unknown> }).plugin_connector;
}

/**
 * What every docker-type `plugin_connector` block holds besides the prefix when nothing else is asked: no helper
 * image and no generatorConf, the chart keeps its own.
 */
export const DOCKER_CONNECTOR = { imageRepoSecret: "image-repo-secret", imageRepoType: "docker", insecureImageRepo: false } as const;
