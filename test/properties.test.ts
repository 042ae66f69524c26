// Property-based tests (fast-check) of the pure round trips: generatorConf edit/parse, mirror reference rewriting,
// and the values deep merge. Each property runs on a few hundred generated inputs; a failure prints the smallest one.
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { deepMerge, editGeneratorConf, mirroredImageReference, parseGeneratorConf, parseImageReference } from "../components";
import { defaultsForChartVersion } from "../engines/difyChart/defaults";

const component = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)?$/).filter((s) => s.length <= 20);
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`);
const host = fc.oneof(
    fc.constantFrom("docker.io", "gcr.io", "ghcr.io", "registry.example.com", "localhost"),
    fc.tuple(component, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}.internal:${p}`),
);
/** Image references as docker writes them: an optional host, a path, an optional tag and digest. */
const reference = fc
    .record({
        host: fc.option(host, { nil: undefined }),
        path: fc.array(component, { minLength: 1, maxLength: 3 }),
        tag: fc.option(tag, { nil: undefined }),
        digest: fc.option(digest, { nil: undefined }),
    })
    .map(({ host: h, path, tag: t, digest: d }) => `${h ? `${h}/` : ""}${path.join("/")}${t ? `:${t}` : ""}${d ? `@${d}` : ""}`);
const mirror = fc.tuple(host, fc.array(component, { minLength: 0, maxLength: 2 })).map(([h, p]) => [h, ...p].join("/"));

describe("properties (fast-check)", () => {
    it("generatorConf: editing build bases then parsing gives exactly the merged versions, and the rest unchanged", () => {
        const conf = defaultsForChartVersion("3.9.1")!.generatorConf;
        const base = parseGeneratorConf(conf);
        const version = fc.integer({ min: 8, max: 30 }).map((n) => `3.${n}`);
        fc.assert(
            fc.property(
                fc.dictionary(version, fc.option(reference, { nil: null }), { maxKeys: 5 }),
                fc.option(fc.webUrl(), { nil: undefined }),
                fc.option(fc.boolean(), { nil: undefined }),
                (versions, pipMirror, preCompile) => {
                    const parsed = parseGeneratorConf(editGeneratorConf(conf, { versions, pipMirror, preCompile }));
                    const expected: Record<string, string> = { ...base.python.versions };
                    for (const [v, image] of Object.entries(versions)) {
                        if (image === null) delete expected[v];
                        else expected[v] = image;
                    }
                    assert.deepEqual(parsed.python.versions, expected);
                    assert.equal(parsed.repo, base.repo);
                    assert.equal(parsed.python.pipMirror, pipMirror ?? base.python.pipMirror);
                    assert.equal(parsed.python.preCompile, preCompile ?? base.python.preCompile);
                },
            ),
            { numRuns: 200 },
        );
    });

    it("generatorConf: a mapped image edit is the map of every build base, and the identity edit is the document itself", () => {
        const conf = defaultsForChartVersion("3.7.4")!.generatorConf;
        fc.assert(
            fc.property(mirror, (m) => {
                const moved = parseGeneratorConf(editGeneratorConf(conf, { mapImage: (ref) => mirroredImageReference(ref, m) }));
                const original = parseGeneratorConf(conf);
                for (const [v, image] of Object.entries(original.python.versions)) {
                    assert.equal(moved.python.versions[v], mirroredImageReference(image, m));
                }
                assert.equal(editGeneratorConf(conf, { mapImage: (ref) => ref }), conf);
            }),
            { numRuns: 100 },
        );
    });

    it("mirror rewriting keeps path (without library/), tag and digest, and lands under the mirror", () => {
        fc.assert(
            fc.property(reference, mirror, (ref, m) => {
                const moved = mirroredImageReference(ref, m);
                assert.ok(moved.startsWith(`${m}/`), moved);
                const before = parseImageReference(ref);
                const after = parseImageReference(moved);
                assert.equal(after.tag, before.tag);
                assert.equal(after.digest, before.digest);
                const path = before.domain === "docker.io" ? before.path.replace(/^library\//, "") : before.path;
                assert.ok(moved.slice(m.length + 1).startsWith(path), `${moved} keeps ${path}`);
                // Deterministic: the component and the mirror CLI compute the same target for a source.
                assert.equal(mirroredImageReference(ref, m), moved);
            }),
            { numRuns: 300 },
        );
    });

    const values = fc.letrec((tie) => ({
        node: fc.oneof(
            { depthSize: "small" },
            fc.string(),
            fc.integer(),
            fc.boolean(),
            fc.array(fc.string(), { maxLength: 3 }),
            tie("map"),
        ),
        map: fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), tie("node"), { maxKeys: 4, noNullPrototype: true }),
    })).map as fc.Arbitrary<Record<string, unknown>>;

    it("deep merge: every leaf of the override wins, every base key the override does not touch stays, inputs unchanged", () => {
        fc.assert(
            fc.property(values, values, (base, override) => {
                const snapshot = JSON.stringify([base, override]);
                const merged = deepMerge(base, override);
                assert.equal(JSON.stringify([base, override]), snapshot, "inputs are not mutated");
                const check = (m: Record<string, unknown>, b: Record<string, unknown>, o: Record<string, unknown>) => {
                    for (const [k, v] of Object.entries(o)) {
                        const isMap = (x: unknown) => typeof x === "object" && x !== null && !Array.isArray(x);
                        if (isMap(v) && isMap(b[k]))
                            check(m[k] as Record<string, unknown>, b[k] as Record<string, unknown>, v as Record<string, unknown>);
                        else assert.deepEqual(m[k], v);
                    }
                    for (const [k, v] of Object.entries(b)) if (!Object.hasOwn(o, k)) assert.deepEqual(m[k], v);
                    assert.deepEqual(Object.keys(m).sort(), [...new Set([...Object.keys(b), ...Object.keys(o)])].sort());
                };
                check(merged, base, override);
                assert.deepEqual(deepMerge(merged, override), merged, "merging the override again changes nothing");
            }),
            { numRuns: 300 },
        );
    });
});
