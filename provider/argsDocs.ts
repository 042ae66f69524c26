/**
 * The TSDoc of the TypeScript API, read with the TypeScript compiler: the one source of the schema's descriptions and
 * enumerations. `npx tsx provider/argsDocs.ts` writes `provider/argsDocs.json`, which `schema.ts` reads (the provider
 * runs without the compiler, from the npm tarball too); `test/provider.schema.test.ts` reads the TSDoc again and fails
 * when the JSON is stale or a schema description differs from its member's TSDoc.
 *
 * Paths are the schema's, from the component: `namespace`, `chart.version`, `pluginConnector.mirrorImages.registries.*.caFile`;
 * the registry is one block per kind (`docker`, `ecr.auth.mode`), whose own entry is the kind's interface TSDoc.
 * This file needs `typescript` (a devDependency) and is never imported by the provider.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

/** What the TypeScript API says about one member. */
export interface MemberDoc {
    /** The member's TSDoc (`{@link X}` written as `` `X` ``); absent when the member has none. */
    readonly description?: string;
    /** The TSDoc of the member's own interface, for the schema type it becomes. */
    readonly typeDescription?: string;
    /** The string literals the member's type allows, when it is a closed set. */
    readonly enum?: readonly string[];
}

/** Members of the component's arguments and outputs, by schema path. */
export interface ArgsDocs {
    readonly inputs: Readonly<Record<string, MemberDoc>>;
    readonly outputs: Readonly<Record<string, MemberDoc>>;
}

const ROOT = path.resolve(__dirname, "..");
/** Where `schema.ts` reads the docs from. */
export const ARGS_DOCS_FILE = path.join(ROOT, "provider", "argsDocs.json");

/** Reads the TSDoc of `DifyPluginRegistryArgs` (with each registry kind's arguments) and of `DifyPluginRegistry`'s outputs. */
export function readArgsDocs(): ArgsDocs {
    const argsFile = path.join(ROOT, "components", "args.ts");
    const classFile = path.join(ROOT, "components", "pluginRegistry.ts");
    const program = ts.createProgram([argsFile, classFile], {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        strict: true,
        skipLibCheck: true,
        esModuleInterop: true,
        resolveJsonModule: true,
        types: [],
    });
    const checker = program.getTypeChecker();
    const inputs: Record<string, MemberDoc> = {};
    const argsType = declaredType(checker, program, argsFile, "DifyPluginRegistryArgs");
    for (const member of checker.getPropertiesOfType(argsType)) {
        if (member.name !== "registry") {
            walkMember(checker, [member], member.name, inputs, 0);
            continue;
        }
        // One block per kind: the union RegistryArgs, split by each constituent's `type`.
        for (const kind of constituents(checker.getNonNullableType(typeOfMember(checker, member)))) {
            const type = checker.getPropertyOfType(kind, "type");
            const literal = type && stringLiterals(typeOfMember(checker, type))[0];
            if (!literal) {
                throw new Error(`provider/argsDocs: a RegistryArgs member without a literal \`type\`: ${checker.typeToString(kind)}`);
            }
            const doc = docOf(checker, kind.getSymbol());
            inputs[literal] = { ...(doc ? { description: doc, typeDescription: doc } : {}) };
            walkObject(checker, kind, literal, inputs, 1, ["type"]);
        }
    }
    const outputs: Record<string, MemberDoc> = {};
    const classType = declaredType(checker, program, classFile, "DifyPluginRegistry");
    for (const member of checker.getPropertiesOfType(classType)) {
        const declaration = member.valueDeclaration;
        if (
            declaration &&
            ts.isPropertyDeclaration(declaration) &&
            declaration.modifiers?.some((m) => m.kind === ts.SyntaxKind.PublicKeyword) &&
            declaration.modifiers.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword)
        ) {
            const doc = docOf(checker, member);
            outputs[member.name] = doc ? { description: doc } : {};
        }
    }
    return { inputs: sortKeys(inputs), outputs };
}

function declaredType(checker: ts.TypeChecker, program: ts.Program, file: string, name: string): ts.Type {
    const source = program.getSourceFile(file);
    const symbol = source && checker.getSymbolAtLocation(source)?.exports?.get(name as ts.__String);
    if (!symbol) {
        throw new Error(`provider/argsDocs: ${name} is not exported by ${path.relative(ROOT, file)}`);
    }
    return checker.getDeclaredTypeOfSymbol(symbol);
}

const typeOfMember = (checker: ts.TypeChecker, member: ts.Symbol) =>
    checker.getTypeOfSymbolAtLocation(member, member.valueDeclaration ?? member.declarations![0]);

function constituents(type: ts.Type): ts.Type[] {
    return type.isUnion() ? type.types : [type];
}

function stringLiterals(type: ts.Type): string[] {
    return constituents(type).flatMap((t) => (t.isStringLiteral() ? [t.value] : []));
}

/** The TSDoc text of a symbol, `{@link X}` as `` `X` ``; undefined when it has none. */
function docOf(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): string | undefined {
    if (!symbol) {
        return undefined;
    }
    const text = ts
        .displayPartsToString(symbol.getDocumentationComment(checker))
        .replace(/\{@link\s+([^}\s]+)\s*\}/g, "`$1`")
        .trim();
    return text === "" ? undefined : text;
}

/** Declared in this repository (not `@pulumi/*`, `@pulumi/kubernetes`'s Affinity, the standard library). */
function isOurs(type: ts.Type): boolean {
    const symbol = type.aliasSymbol ?? type.getSymbol();
    const files = (symbol?.declarations ?? []).map((d) => d.getSourceFile().fileName);
    return files.length > 0 && files.every((f) => !f.includes("node_modules"));
}

/**
 * The object types a member's value is made of, for the walk: Outputs, Promises, primitives and foreign types dropped;
 * a `Record<string, X>` is its value type under the key `*`.
 */
function objectParts(checker: ts.TypeChecker, type: ts.Type): { objects: ts.Type[]; record?: ts.Type } {
    const objects: ts.Type[] = [];
    let record: ts.Type | undefined;
    for (const part of constituents(checker.getNonNullableType(type))) {
        if (!(part.flags & ts.TypeFlags.Object)) {
            continue;
        }
        const index = checker.getIndexInfosOfType(part).find((i) => i.keyType.flags & ts.TypeFlags.String);
        if (index && checker.getPropertiesOfType(part).length === 0) {
            record = index.type;
        } else if (isOurs(part) || (part.getSymbol()?.flags ?? 0) & ts.SymbolFlags.TypeLiteral || isMappedOverOurs(part)) {
            objects.push(part);
        }
    }
    return { objects, record };
}

/** `Partial<HelperImages>`: a mapped type over one of ours. */
function isMappedOverOurs(type: ts.Type): boolean {
    const alias = type.aliasSymbol;
    return alias?.name === "Partial" && (type.aliasTypeArguments ?? []).every(isOurs);
}

/** One member (the same name in each constituent of a union) at `at`, and whatever object it holds. */
function walkMember(checker: ts.TypeChecker, symbols: ts.Symbol[], at: string, out: Record<string, MemberDoc>, depth: number): void {
    const docs = symbols.map((s) => docOf(checker, s));
    const distinct = [...new Set(docs.filter((d): d is string => d !== undefined))];
    const description = distinct.length <= 1 ? distinct[0] : distinct.join(" ");
    const types = symbols.map((s) => typeOfMember(checker, s));
    const literals = [...new Set(types.flatMap((t) => stringLiterals(checker.getNonNullableType(t))))];
    // A closed set: every constituent a string literal (Outputs and Promises of them aside).
    const open = types.some((t) =>
        constituents(checker.getNonNullableType(t)).some((c) => c.flags & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral)),
    );
    const parts = types.map((t) => objectParts(checker, t));
    const objects = parts.flatMap((p) => p.objects);
    const typeDescription =
        objects.length === 1 ? docOf(checker, objects[0].aliasTypeArguments?.[0]?.getSymbol() ?? objects[0].getSymbol()) : undefined;
    out[at] = {
        ...(description !== undefined ? { description } : {}),
        ...(typeDescription !== undefined ? { typeDescription } : {}),
        ...(literals.length > 0 && !open ? { enum: literals } : {}),
    };
    if (depth > 6) {
        return;
    }
    if (objects.length > 0) {
        walkObject(checker, objects, at, out, depth + 1);
    }
    const record = parts.find((p) => p.record)?.record;
    if (record) {
        const inner = objectParts(checker, record).objects;
        if (inner.length > 0) {
            walkObject(checker, inner, `${at}.*`, out, depth + 1);
        }
    }
}

/**
 * The members of an object type, or of a union of them (`EcrAuthArgs`): a member several constituents have is one
 * member, its TSDoc each one's (when they differ, each prefixed with its constituent's discriminating literal: `irsa`).
 */
function walkObject(
    checker: ts.TypeChecker,
    types: ts.Type | ts.Type[],
    at: string,
    out: Record<string, MemberDoc>,
    depth: number,
    skip: readonly string[] = [],
): void {
    const list = Array.isArray(types) ? types : [types];
    const names = [...new Set(list.flatMap((t) => checker.getPropertiesOfType(t).map((p) => p.name)))];
    const discriminant = list.length > 1 ? names.find((n) => list.every((t) => literalOf(checker, t, n) !== undefined)) : undefined;
    for (const name of names) {
        if (skip.includes(name)) {
            continue;
        }
        const owners = list.filter((t) => checker.getPropertyOfType(t, name));
        const symbols = owners.map((t) => checker.getPropertyOfType(t, name)!);
        walkMember(checker, symbols, `${at}.${name}`, out, depth);
        const docs = symbols.map((s) => docOf(checker, s));
        if (discriminant && (owners.length < list.length || new Set(docs).size > 1)) {
            const pieces = owners
                .map((t, i) => (docs[i] ? `\`${literalOf(checker, t, discriminant)}\`: ${docs[i]}` : undefined))
                .filter((p) => p !== undefined);
            const entry = out[`${at}.${name}`];
            out[`${at}.${name}`] = { ...entry, ...(pieces.length > 0 ? { description: pieces.join(" ") } : {}) };
        }
    }
}

function literalOf(checker: ts.TypeChecker, type: ts.Type, name: string): string | undefined {
    const member = checker.getPropertyOfType(type, name);
    const literals = member ? stringLiterals(checker.getNonNullableType(typeOfMember(checker, member))) : [];
    return literals.length === 1 ? literals[0] : undefined;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `provider/argsDocs.json` as `writeArgsDocs` writes it. */
export function argsDocsText(docs: ArgsDocs = readArgsDocs()): string {
    return `${JSON.stringify(docs, null, 2)}\n`;
}

// `npx tsx provider/argsDocs.ts`: write the JSON (then `npx biome format --write provider/argsDocs.json`).
if (require.main === module) {
    fs.writeFileSync(ARGS_DOCS_FILE, argsDocsText());
    console.log(`wrote ${path.relative(ROOT, ARGS_DOCS_FILE)}`);
}
