/**
 * The push password's validity window (pure). It is computed from arguments only — never from the clock — so the same
 * config gives the same `endDate` on every run and a password is replaced only when the config says so.
 */

/** When the current push password was issued, and for how long it is valid. */
export interface AcrCredentialArgs {
    /**
     * The day the current password was issued, `YYYY-MM-DD` (UTC). Changing it replaces the password (a new one is
     * created first, then the Secret is updated, then the old one is deleted): this is how you rotate.
     */
    readonly issuedOn: string;
    /** Days the password is valid from `issuedOn`. Default 365; at most 730 (the longest the Entra portal offers). */
    readonly lifetimeDays?: number;
}

/** Days a push password is valid when `lifetimeDays` is not given. */
export const DEFAULT_LIFETIME_DAYS = 365;
/** Longest accepted `lifetimeDays`, in days: the longest validity the Entra portal offers. */
export const MAX_LIFETIME_DAYS = 730;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Milliseconds since the epoch of `YYYY-MM-DD` at 00:00 UTC, or undefined when it is not a real date. */
function parseDay(day: string): number | undefined {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    if (!match) {
        return undefined;
    }
    const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    // Date.UTC rolls 2026-02-30 over to March: a real date formats back to itself.
    return new Date(ms).toISOString().startsWith(day) ? ms : undefined;
}

/** The RFC 3339 end date (`2027-11-01T00:00:00Z`) of a password issued on `issuedOn` for `lifetimeDays`. */
export function credentialEndDate(credential: AcrCredentialArgs): string {
    const start = parseDay(credential.issuedOn);
    if (start === undefined) {
        throw new Error(`credential.issuedOn ${JSON.stringify(credential.issuedOn)} is not a YYYY-MM-DD date`);
    }
    const end = new Date(start + (credential.lifetimeDays ?? DEFAULT_LIFETIME_DAYS) * DAY_MS);
    return end.toISOString().replace(/\.000Z$/, "Z");
}

/** Problems with `credential`, by property path under `registry.credential`. */
export function credentialProblems(credential: AcrCredentialArgs | undefined): { path: string; reason: string }[] {
    if (typeof credential !== "object" || credential === null) {
        return [
            {
                path: "registry.credential",
                reason: 'is required: { issuedOn: "YYYY-MM-DD", lifetimeDays: 365 } (the push password\'s validity)',
            },
        ];
    }
    const problems: { path: string; reason: string }[] = [];
    if (typeof credential.issuedOn !== "string" || parseDay(credential.issuedOn) === undefined) {
        problems.push({
            path: "registry.credential.issuedOn",
            reason: `${JSON.stringify(credential.issuedOn)} is not a date; give the day the password is issued as "YYYY-MM-DD" (UTC), e.g. "2026-11-01"`,
        });
    }
    const days = credential.lifetimeDays;
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_LIFETIME_DAYS)) {
        problems.push({
            path: "registry.credential.lifetimeDays",
            reason: `must be a whole number of days from 1 to ${MAX_LIFETIME_DAYS}, got ${JSON.stringify(days)}`,
        });
    }
    return problems;
}
