/** Chart values for versions the table does not know, built from a real fixture so every image is the file's own. */
import * as fs from "node:fs";
import * as path from "node:path";

/** The chart values fixtures the repository carries (`test/fixtures/dify-chart-values/`, copied from the shared fixtures). */
export const FIXTURES = path.resolve(__dirname, "..", "fixtures", "dify-chart-values");

/** The images of {@link unseenChartValues}: none of them is in any table entry. */
export const UNSEEN = {
    gateway: "nginx:1.31.1-alpine",
    shader: "gcr.io/kaniko-project/executor:v1.24.0",
    busyBox: "busybox:1.37.0",
    awsCli: "amazon/aws-cli:2.31.0",
    githubShader: "gcr.io/kaniko-project/executor:v1.24.0-debug",
    python: {
        "3.14": "docker.io/langgenius/plugin-build-base-python:3.14-secure-r2",
        "3.13": "docker.io/langgenius/plugin-build-base-python:3.13-secure-r2",
        "3.12": "docker.io/langgenius/plugin-build-base-python:3.12-secure-r2",
    },
} as const;

/**
 * A values.yaml as `helm show values` would print it for a chart version released after the table: the 3.9.1 plugin
 * sections with every helper image and build base changed to {@link UNSEEN}'s (a made-up release, not a real one).
 * `images` replaces each reference by another (e.g. a loopback registry's) for live tests.
 */
export function unseenChartValues(images: (ref: string) => string = (ref) => ref): string {
    let text = fs.readFileSync(path.join(FIXTURES, "3.9.1-plugin-sections.yaml"), "utf8");
    const replace = (from: string, to: string) => {
        assert(text.includes(from), from);
        text = text.split(from).join(to);
    };
    replace('gatewayImage: "nginx:1.29.4-alpine"', `gatewayImage: "${images(UNSEEN.gateway)}"`);
    replace(
        '  shaderImage: "gcr.io/kaniko-project/executor:latest"\n  busyBoxImage',
        `  shaderImage: "${images(UNSEEN.shader)}"\n  busyBoxImage`,
    );
    replace('    shaderImage: "gcr.io/kaniko-project/executor:latest"', `    shaderImage: "${images(UNSEEN.githubShader)}"`);
    replace('busyBoxImage: "busybox:latest"', `busyBoxImage: "${images(UNSEEN.busyBox)}"`);
    replace('awsCliImage: "amazon/aws-cli:latest"', `awsCliImage: "${images(UNSEEN.awsCli)}"`);
    for (const [version, image] of Object.entries(UNSEEN.python)) {
        replace(`langgenius: docker.io/langgenius/plugin-build-base-python:${version}-secure\n`, `langgenius: ${images(image)}\n`);
    }
    return text;
}

function assert(ok: boolean, what: string): void {
    if (!ok) throw new Error(`the 3.9.1 fixture no longer holds ${what}`);
}
