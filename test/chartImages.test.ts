// The images a Dify chart version needs in a mirror, read from that version's own values (the fixtures).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    allChartImages,
    chartImageSet,
    defaultsForChartVersion,
    defaultsFromValues,
    loadChartValues,
    parseChartValues,
} from "../components";

const FIXTURES = path.resolve(__dirname, "fixtures", "dify-chart-values");
const fixture = (name: string) => path.join(FIXTURES, name);

describe("chart image set (what a mirror must hold)", () => {
    it("lists the helper images and python build bases of exactly that version", () => {
        assert.deepEqual(chartImageSet({ defaults: defaultsForChartVersion("3.9.1")! }), [
            "nginx:1.29.4-alpine",
            "gcr.io/kaniko-project/executor:latest",
            "busybox:latest",
            "docker.io/langgenius/plugin-build-base-python:3.14-secure",
            "docker.io/langgenius/plugin-build-base-python:3.13-secure",
            "docker.io/langgenius/plugin-build-base-python:3.12-secure",
        ]);
        assert.deepEqual(chartImageSet({ defaults: defaultsForChartVersion("3.5.3")! }), [
            "nginx:1.27.3",
            "gcr.io/kaniko-project/executor:latest",
            "busybox:latest",
            "docker.io/langgenius/plugin-build-base-python:3.13",
            "docker.io/langgenius/plugin-build-base-python:3.12",
            "docker.io/langgenius/plugin-build-base-python:3.11",
            "docker.io/langgenius/plugin-build-base-python:3.10",
        ]);
    });

    it("follows overrides, removed and added build bases, and the aws-cli helper for ECR", () => {
        const custom = chartImageSet({
            defaults: defaultsForChartVersion("3.7.4")!,
            includeAwsCli: true,
            images: { gateway: "nginx:1.30" },
            pythonVersions: { "3.10": null, "3.11": "x.io/py:3.11" },
        });
        assert.deepEqual(custom, [
            "nginx:1.30",
            "gcr.io/kaniko-project/executor:latest",
            "busybox:latest",
            "amazon/aws-cli:latest",
            "docker.io/langgenius/plugin-build-base-python:3.13",
            "docker.io/langgenius/plugin-build-base-python:3.12",
            "x.io/py:3.11",
        ]);
    });

    it("holds the GitHub builder's github.shaderImage when that builder is selected, the user's own first", () => {
        const values = parseChartValues(fs.readFileSync(fixture("3.7.4.yaml"), "utf8"));
        const connector = values.plugin_connector as { github: Record<string, unknown> };
        connector.github.shaderImage = "gcr.io/kaniko-project/executor:v1.23.2-debug";
        const defaults = defaultsFromValues(values);
        assert.ok(!chartImageSet({ defaults }).includes("gcr.io/kaniko-project/executor:v1.23.2-debug"));
        assert.ok(chartImageSet({ defaults, githubBuilder: true }).includes("gcr.io/kaniko-project/executor:v1.23.2-debug"));
        assert.ok(
            chartImageSet({ defaults, githubBuilder: true, githubShaderImage: "ghcr.io/acme/kaniko:1" }).includes("ghcr.io/acme/kaniko:1"),
        );
        // 3.5.x's github block has no shaderImage: nothing more to mirror.
        const old = defaultsForChartVersion("3.5.5")!;
        assert.deepEqual(chartImageSet({ defaults: old, githubBuilder: true }), chartImageSet({ defaults: old }));
    });

    it("finds every <block>.image of the chart's default values (3.7.4 fixture)", () => {
        const { images, untagged } = allChartImages(loadChartValues(fixture("3.7.4.yaml")));
        for (const image of [
            "langgenius/dify-api:c0c64c75d6c7ef5c273a49aec38adbc7cb952cb4",
            "langgenius/dify-web:c0c64c75d6c7ef5c273a49aec38adbc7cb952cb4",
            "busybox:1.36.1",
            "downloads.unstructured.io/unstructured-io/unstructured-api:0.0.70",
            "langgenius/enterprise_plugin-connector:0.14.3",
            "docker.io/langgenius/redis:6.2.16-debian-12-r3",
        ]) {
            assert.ok(images.includes(image), `${image} missing from ${images.join(", ")}`);
        }
        assert.equal(new Set(images).size, images.length);
        assert.ok(untagged.includes("postgresql.image"), `untagged: ${untagged.join(", ")}`);
        const all = chartImageSet({ defaults: defaultsForChartVersion("3.7.4")!, chartValues: loadChartValues(fixture("3.7.4.yaml")) });
        assert.equal(all.length, 3 + 4 + images.length);
    });
});
