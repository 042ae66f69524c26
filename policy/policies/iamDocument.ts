/** A statement of an IAM policy document, as policies read it (single values normalised to lists). */
export interface IamStatement {
    readonly effect: string;
    readonly actions: string[];
    readonly resources: string[];
    readonly principals: Record<string, string[]>;
    readonly condition: Record<string, Record<string, unknown>>;
}

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Parses a policy document given as JSON text or as an object; undefined when it is neither. */
export function parseIamDocument(doc: unknown): IamStatement[] | undefined {
    let parsed: unknown = doc;
    if (typeof doc === "string") {
        try {
            parsed = JSON.parse(doc);
        } catch {
            return undefined;
        }
    }
    if (typeof parsed !== "object" || parsed === null) {
        return undefined;
    }
    const statements = (parsed as { Statement?: unknown }).Statement;
    if (statements === undefined) {
        return [];
    }
    return (Array.isArray(statements) ? statements : [statements]).map(toStatement);
}

function toStatement(s: Record<string, unknown>): IamStatement {
    const principal = s.Principal;
    const principals: Record<string, string[]> = {};
    if (typeof principal === "string") {
        principals["*"] = [principal];
    } else if (principal && typeof principal === "object") {
        for (const [k, v] of Object.entries(principal)) {
            principals[k] = list(v);
        }
    }
    return {
        effect: String(s.Effect ?? ""),
        actions: list(s.Action),
        resources: list(s.Resource),
        principals,
        condition: (s.Condition as Record<string, Record<string, unknown>>) ?? {},
    };
}
