import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        return e.isDirectory() ? sourceFiles(full) : e.name.endsWith(".ts") ? [full] : [];
    });
}

const hasDoc = (node: ts.Node): boolean => ts.getJSDocCommentsAndTags(node).length > 0;
const isExported = (node: ts.Node): boolean =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** Exported declarations of the library without a TSDoc comment, and undocumented members of its `…Args` interfaces. */
function undocumented(file: string): string[] {
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    const where = (node: ts.Node, name: string) =>
        `${path.relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${name}`;
    const missing: string[] = [];
    for (const statement of source.statements) {
        if (!isExported(statement)) {
            continue;
        }
        if (ts.isVariableStatement(statement)) {
            if (!hasDoc(statement)) {
                missing.push(where(statement, statement.declarationList.declarations.map((d) => d.name.getText()).join(", ")));
            }
            continue;
        }
        if (
            ts.isInterfaceDeclaration(statement) ||
            ts.isTypeAliasDeclaration(statement) ||
            ts.isClassDeclaration(statement) ||
            ts.isFunctionDeclaration(statement) ||
            ts.isEnumDeclaration(statement)
        ) {
            const name = statement.name?.getText() ?? "(default)";
            if (!hasDoc(statement)) {
                missing.push(where(statement, name));
            }
            if (ts.isInterfaceDeclaration(statement) && name.endsWith("Args")) {
                for (const member of statement.members) {
                    if (!hasDoc(member)) {
                        missing.push(where(member, `${name}.${member.name?.getText()}`));
                    }
                }
            }
        }
    }
    return missing;
}

describe("TSDoc", () => {
    it("every exported declaration of the library, the stack program, the policy pack and the component provider is documented, and every member of its Args interfaces", () => {
        const missing = ["components", "engines", "program", "policy", "provider"]
            .flatMap((dir) => sourceFiles(path.join(ROOT, dir)))
            .flatMap(undocumented);
        assert.deepEqual(missing, []);
    });
});
