/**
 * A light parser for the Python example: enough of Python's expression syntax — calls with keyword arguments, dict and
 * list literals, strings, numbers, True/False/None, dotted names, lambdas skipped — to read which arguments a program
 * passes to the generated SDK. `<module>.<X>Args(k=v)` becomes a TypedObject of type X with the keywords converted
 * back to the schema's camelCase names (the SDK's snake_case is derived from them); any other call, name or lambda is
 * a value known only at run time.
 */
import { EnumMember, SecretValue, TypedObject, UNKNOWN } from "./schemaCheck";

type Token = { kind: "name" | "string" | "number" | "punct"; text: string; pos: number };

function tokenize(source: string): Token[] {
    const tokens: Token[] = [];
    const re =
        /\s+|#[^\n]*|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|[()[\]{},=:.*+\-/%<>!])/gy;
    let m: RegExpExecArray | null;
    re.lastIndex = 0;
    while (re.lastIndex < source.length) {
        const pos = re.lastIndex;
        m = re.exec(source);
        if (!m) {
            throw new Error(`pythonCalls: cannot read ${JSON.stringify(source.slice(pos, pos + 20))} at ${pos}`);
        }
        if (m[1] !== undefined) tokens.push({ kind: "string", text: m[1], pos });
        else if (m[2] !== undefined) tokens.push({ kind: "number", text: m[2], pos });
        else if (m[3] !== undefined) tokens.push({ kind: "name", text: m[3], pos });
        else if (m[4] !== undefined) tokens.push({ kind: "punct", text: m[4], pos });
    }
    return tokens;
}

/** `node_selector` → `nodeSelector`. */
export const camelCase = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** One call of `<module>.<callee>(…)` found in the source: its positional and keyword arguments. */
export interface PythonCall {
    readonly callee: string;
    readonly assignedTo?: string;
    readonly args: unknown[];
    readonly kwargs: Record<string, unknown>;
}

/** Every call of `<module>.<name>(…)` at statement level (`x = mod.Name(…)` or `mod.Name(…)`), parsed. */
export function moduleCalls(source: string, module: string): PythonCall[] {
    const tokens = tokenize(source);
    const calls: PythonCall[] = [];
    for (let i = 0; i < tokens.length - 3; i++) {
        const t = tokens[i];
        if (
            t.kind === "name" &&
            t.text === module &&
            tokens[i + 1].text === "." &&
            tokens[i + 3]?.text === "(" &&
            tokens[i - 1]?.text !== "."
        ) {
            const assignedTo = tokens[i - 1]?.text === "=" && tokens[i - 2]?.kind === "name" ? tokens[i - 2].text : undefined;
            const parser = new Parser(tokens, i, module);
            const value = parser.expression();
            if (value instanceof Call) {
                calls.push({ callee: value.callee, assignedTo, args: value.args, kwargs: value.kwargs });
            }
            i = parser.at - 1;
        }
    }
    return calls;
}

/** Attribute names read from `variable` (`plugins.image_repo_prefix` → `image_repo_prefix`). */
export function attributesOf(source: string, variable: string): string[] {
    const tokens = tokenize(source);
    const names: string[] = [];
    for (let i = 0; i < tokens.length - 2; i++) {
        if (tokens[i].text === variable && tokens[i + 1].text === "." && tokens[i + 2].kind === "name" && tokens[i - 1]?.text !== ".") {
            names.push(tokens[i + 2].text);
        }
    }
    return names;
}

class Call {
    constructor(
        readonly callee: string,
        readonly args: unknown[],
        readonly kwargs: Record<string, unknown>,
    ) {}
}

class Parser {
    constructor(
        private readonly tokens: Token[],
        public at: number,
        private readonly module: string,
    ) {}

    private peek(): Token | undefined {
        return this.tokens[this.at];
    }

    private take(text?: string): Token {
        const t = this.tokens[this.at++];
        if (!t || (text !== undefined && t.text !== text)) {
            throw new Error(`pythonCalls: expected ${text ?? "a token"} at ${t?.pos}, got ${t?.text}`);
        }
        return t;
    }

    /** One expression; operators between operands make the value unknown. */
    expression(): unknown {
        if (this.peek()?.text === "lambda") {
            this.skipUntilClose();
            return UNKNOWN;
        }
        let value = this.operand();
        while (this.peek() && ["+", "-", "*", "/", "%", "if", "else", "or", "and"].includes(this.peek()!.text)) {
            this.take();
            this.operand();
            value = UNKNOWN;
        }
        return value;
    }

    private skipUntilClose(): void {
        let depth = 0;
        while (this.peek()) {
            const text = this.peek()!.text;
            if (depth === 0 && [",", ")", "]", "}"].includes(text)) {
                return;
            }
            depth += ["(", "[", "{"].includes(text) ? 1 : [")", "]", "}"].includes(text) ? -1 : 0;
            this.take();
        }
    }

    private operand(): unknown {
        const t = this.take();
        if (t.kind === "string") {
            // Adjacent literals concatenate; no escapes in the example beyond the quotes.
            let text = t.text.replace(/^("""|'''|"|')|("""|'''|"|')$/g, "");
            while (this.peek()?.kind === "string") {
                text += this.take().text.replace(/^("""|'''|"|')|("""|'''|"|')$/g, "");
            }
            return text;
        }
        if (t.kind === "number") {
            return Number(t.text);
        }
        if (t.text === "{") {
            const obj: Record<string, unknown> = {};
            while (this.peek()?.text !== "}") {
                const k = this.expression();
                this.take(":");
                obj[String(k)] = this.expression();
                if (this.peek()?.text === ",") this.take(",");
            }
            this.take("}");
            return obj;
        }
        if (t.text === "[") {
            const list: unknown[] = [];
            while (this.peek()?.text !== "]") {
                list.push(this.expression());
                if (this.peek()?.text === ",") this.take(",");
            }
            this.take("]");
            return list;
        }
        if (t.text === "(") {
            const inner = this.expression();
            this.take(")");
            return inner;
        }
        if (t.kind === "name") {
            if (t.text === "True" || t.text === "False") return t.text === "True";
            if (t.text === "None") return null;
            let dotted = t.text;
            let value: unknown = UNKNOWN;
            while (this.peek()?.text === "." || this.peek()?.text === "(" || this.peek()?.text === "[") {
                if (this.peek()!.text === ".") {
                    this.take(".");
                    dotted += `.${this.take().text}`;
                } else if (this.peek()!.text === "[") {
                    this.take("[");
                    this.expression();
                    this.take("]");
                    value = UNKNOWN;
                } else {
                    value = this.call(dotted);
                    dotted = "";
                }
            }
            // `<module>.<Enum>.<MEMBER>`: a member of a generated enum class.
            const member = new RegExp(`^${this.module}\\.([A-Z][A-Za-z0-9]*)\\.([A-Z][A-Z0-9_]*)$`).exec(dotted);
            return member ? new EnumMember(member[1], member[2]) : value;
        }
        throw new Error(`pythonCalls: unexpected ${t.text} at ${t.pos}`);
    }

    /** `callee(args)`: a TypedObject for `<module>.<X>Args`, a Call for other module calls, else unknown. */
    private call(callee: string): unknown {
        this.take("(");
        const args: unknown[] = [];
        const kwargs: Record<string, unknown> = {};
        while (this.peek()?.text !== ")") {
            if (this.peek()?.kind === "name" && this.tokens[this.at + 1]?.text === "=") {
                const name = this.take().text;
                this.take("=");
                kwargs[name] = this.expression();
            } else {
                args.push(this.expression());
            }
            if (this.peek()?.text === ",") this.take(",");
        }
        this.take(")");
        const [mod, name] = callee.split(".");
        if (mod === this.module && name !== undefined && callee.split(".").length === 2) {
            if (name.endsWith("Args")) {
                return new TypedObject(
                    name.slice(0, -"Args".length),
                    Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [camelCase(k), v])),
                );
            }
            return new Call(name, args, kwargs);
        }
        // `config.require_secret(...)`, `pulumi.Output.secret(...)`: secret where they come from.
        if (/(^|\.)(require_secret|get_secret|secret)$/.test(callee)) {
            return { secretOf: UNKNOWN } satisfies SecretValue;
        }
        return UNKNOWN;
    }
}
