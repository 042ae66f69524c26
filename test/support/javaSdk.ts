/**
 * This package from Java, the way a user's machine sees it: the Java SDK generated from the schema the provider serves
 * by the CLI's own command (`pulumi package gen-sdk --language java --local`, which asks the Java language host built by
 * `scripts/engine-tools.sh --with java`), and Maven builds against a local repository outside the checkout
 * (`$DIFY_ENGINE_TOOLS/m2`, beside the Python virtualenv): the first build of a `pom.xml` downloads what it needs from
 * Maven Central, every later one runs offline (`mvn -o`), so a second CI run downloads nothing.
 */
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { engineToolsBinDir } from "./apiServer";
import { pulumiBinary } from "./pulumiEngine";
import { findBinary } from "./registry";

const run = promisify(execFile);
export const JAVA_HINT = "run: scripts/engine-tools.sh --with python,yaml,sdkgen,java (and apt-get install -y default-jdk-headless maven)";

/** The Maven repository the Java builds use (`-Dmaven.repo.local`), outside the checkout. */
export function mavenRepo(): string {
    return path.join(path.dirname(engineToolsBinDir()), "m2");
}

/** True when the Java language host is built and a JDK and Maven are installed. */
export function javaToolsAvailable(): boolean {
    return (
        fs.existsSync(path.join(engineToolsBinDir(), "pulumi-language-java")) &&
        ["java", "javac", "mvn"].every((b) => findBinary(b) !== undefined)
    );
}

/**
 * `pulumi package gen-sdk --language java --local` of the schema (the Java host on PATH generates it, as for
 * `pulumi package add`), moved to `out`; returns `out`.
 */
export async function generateJavaSdk(schemaJson: string, out: string): Promise<string> {
    const pulumi = pulumiBinary();
    if (!pulumi) throw new Error("no pulumi CLI");
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "dify-java-gen-"));
    try {
        fs.writeFileSync(path.join(work, "schema.json"), schemaJson);
        await run(pulumi, ["package", "gen-sdk", "--language", "java", "--local", "--out", "sdk", "schema.json"], {
            cwd: work, // an empty folder: in a project folder the CLI would load that project first
            env: {
                ...process.env,
                PATH: `${engineToolsBinDir()}${path.delimiter}${process.env.PATH ?? ""}`,
                PULUMI_HOME: path.join(work, "home"),
                PULUMI_SKIP_UPDATE_CHECK: "true",
            },
            maxBuffer: 16 * 1024 * 1024,
        });
        fs.rmSync(out, { recursive: true, force: true });
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.cpSync(path.join(work, "sdk", "java"), out, { recursive: true });
        return out;
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

/**
 * `mvn -B -q [-o] -Dmaven.repo.local=<mavenRepo()> <args>` in the project. Rejects with Maven's output in `stdout`
 * (where Maven prints compiler errors) and its first `[ERROR]` lines in the message.
 */
export async function maven(project: string, args: readonly string[], offline = true) {
    try {
        return await run("mvn", ["-B", "-q", ...(offline ? ["-o"] : []), `-Dmaven.repo.local=${mavenRepo()}`, ...args], {
            cwd: project,
            maxBuffer: 16 * 1024 * 1024,
        });
    } catch (err) {
        const stdout = String((err as { stdout?: unknown }).stdout ?? "");
        const errors = stdout
            .split("\n")
            .filter((line) => line.startsWith("[ERROR]"))
            .slice(0, 8);
        if (err instanceof Error && errors.length > 0) err.message += `\n${errors.join("\n")}`;
        throw err;
    }
}

/**
 * Fills the Maven repository with what the project's `pom.xml` needs, once per `pom.xml` (a stamp keyed by its
 * hash): an online build of what the Java host runs (`compile`, then `exec:java` of the SDK's plugin-discovery main,
 * as the host does before `up`). Returns true when it downloaded, false when the stamp says it was done.
 */
export async function resolveMaven(project: string): Promise<boolean> {
    const key = createHash("sha256")
        .update(fs.readFileSync(path.join(project, "pom.xml")))
        .digest("hex")
        .slice(0, 16);
    const stamp = path.join(mavenRepo(), `.resolved-${key}`);
    if (fs.existsSync(stamp)) return false;
    fs.mkdirSync(mavenRepo(), { recursive: true });
    await maven(project, ["compile", "exec:java", "-DmainClass=com.pulumi.bootstrap.internal.Main", "-DmainArgs=packages"], false);
    fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
    return true;
}
