/**
 * CronJob schedules as Kubernetes reads them. The API server validates `CronJob.spec.schedule` with robfig/cron v3's
 * `ParseStandard` (pkg/apis/batch/validation, `validateScheduleFormat`) and the controller runs it with the same
 * library, so this is that parser, rule for rule (robfig/cron v3.0.1 `parser.go`, `spec.go`):
 * - exactly 5 fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or JAN-DEC), day of week (0-6 or
 *   SUN-SAT; 7 is out of range); names are case-insensitive;
 * - each field a comma list of `*`, `?` (the same as `*`), `N`, `N-M` (N <= M) with an optional `/step` (step >= 1;
 *   `N/step` means `N-max/step`); no `H`, `L`, `W` or `#`;
 * - or a descriptor: `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, `@every <Go duration>`;
 * - and, on top of the parser, Kubernetes refuses any schedule containing `TZ` (`TZ=` / `CRON_TZ=` prefixes) on a new
 *   object: "cannot use TZ or CRON_TZ in schedule, use timeZone field instead".
 * Messages are the parser's own, so they read as the API server's would.
 */

/** A parsed schedule: the values each field allows, or a fixed interval (`@every`). */
export type CronSchedule =
    | { readonly kind: "every"; readonly seconds: number }
    | {
          readonly kind: "fields";
          readonly minutes: readonly number[];
          readonly hours: readonly number[];
          readonly daysOfMonth: ReadonlySet<number>;
          readonly months: ReadonlySet<number>;
          readonly daysOfWeek: ReadonlySet<number>;
          /** robfig's star bit on day of month or day of week: then both day fields must match, else either. */
          readonly dayStar: boolean;
      };

interface Bounds {
    readonly min: number;
    readonly max: number;
    readonly names?: Readonly<Record<string, number>>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
    min: 1,
    max: 12,
    names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

class CronError extends Error {}

/** Parses `schedule` as Kubernetes does; throws the reason it would be refused. */
export function parseKubernetesSchedule(schedule: string): CronSchedule {
    if (schedule.includes("TZ")) {
        throw new CronError("cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
    }
    if (schedule.length === 0) {
        throw new CronError("empty spec string");
    }
    if (schedule.startsWith("@")) {
        return parseDescriptor(schedule);
    }
    const fields = schedule.split(/\s+/).filter((f) => f !== "");
    if (fields.length !== 5) {
        throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`);
    }
    const [minute, hour, dom, month, dow] = [
        field(fields[0], MINUTES),
        field(fields[1], HOURS),
        field(fields[2], DOM),
        field(fields[3], MONTHS),
        field(fields[4], DOW),
    ];
    return {
        kind: "fields",
        minutes: [...minute.values].sort((a, b) => a - b),
        hours: [...hour.values].sort((a, b) => a - b),
        daysOfMonth: dom.values,
        months: month.values,
        daysOfWeek: dow.values,
        dayStar: dom.star || dow.star,
    };
}

/** Why Kubernetes would refuse `schedule` as a CronJob schedule, or undefined when it accepts it. */
export function kubernetesScheduleProblem(schedule: string): string | undefined {
    try {
        parseKubernetesSchedule(schedule);
        return undefined;
    } catch (err) {
        if (err instanceof CronError) return err.message;
        throw err;
    }
}

function field(text: string, bounds: Bounds): { values: Set<number>; star: boolean } {
    const values = new Set<number>();
    let star = false;
    // strings.FieldsFunc: empty items between commas are skipped.
    for (const expr of text.split(",").filter((e) => e !== "")) {
        const range = rangeOf(expr, bounds);
        for (const v of range.values) values.add(v);
        star ||= range.star;
    }
    return { values, star };
}

function rangeOf(expr: string, bounds: Bounds): { values: number[]; star: boolean } {
    const rangeAndStep = expr.split("/");
    const lowAndHigh = rangeAndStep[0].split("-");
    const single = lowAndHigh.length === 1;
    let start: number;
    let end: number;
    let star = false;
    if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
        start = bounds.min;
        end = bounds.max;
        star = true;
    } else {
        start = intOrName(lowAndHigh[0], bounds.names);
        if (lowAndHigh.length === 1) {
            end = start;
        } else if (lowAndHigh.length === 2) {
            end = intOrName(lowAndHigh[1], bounds.names);
        } else {
            throw new CronError(`too many hyphens: ${expr}`);
        }
    }
    let step = 1;
    if (rangeAndStep.length === 2) {
        step = int(rangeAndStep[1]);
        if (single) end = bounds.max;
        if (step > 1) star = false;
    } else if (rangeAndStep.length > 2) {
        throw new CronError(`too many slashes: ${expr}`);
    }
    if (start < bounds.min) throw new CronError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
    if (end > bounds.max) throw new CronError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
    if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
    if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
    const values: number[] = [];
    for (let v = start; v <= end; v += step) values.push(v);
    return { values, star };
}

function intOrName(expr: string, names: Readonly<Record<string, number>> | undefined): number {
    const named = names?.[expr.toLowerCase()];
    return named ?? int(expr);
}

/** Go's strconv.Atoi, then robfig's "negative number not allowed". */
function int(expr: string): number {
    if (!/^[+-]?\d{1,18}$/.test(expr)) {
        throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
    }
    const n = Number(expr);
    if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
    return n;
}

function parseDescriptor(descriptor: string): CronSchedule {
    const day = { daysOfMonth: new Set(range(1, 31)), months: new Set(range(1, 12)), daysOfWeek: new Set(range(0, 6)) };
    switch (descriptor) {
        case "@yearly":
        case "@annually":
            return { kind: "fields", minutes: [0], hours: [0], ...day, daysOfMonth: new Set([1]), months: new Set([1]), dayStar: true };
        case "@monthly":
            return { kind: "fields", minutes: [0], hours: [0], ...day, daysOfMonth: new Set([1]), dayStar: true };
        case "@weekly":
            return { kind: "fields", minutes: [0], hours: [0], ...day, daysOfWeek: new Set([0]), dayStar: true };
        case "@daily":
        case "@midnight":
            return { kind: "fields", minutes: [0], hours: [0], ...day, dayStar: true };
        case "@hourly":
            return { kind: "fields", minutes: [0], hours: range(0, 23), ...day, dayStar: true };
    }
    const every = "@every ";
    if (descriptor.startsWith(every)) {
        const seconds = goDurationSeconds(descriptor.slice(every.length));
        if (seconds === undefined) {
            throw new CronError(
                `failed to parse duration ${descriptor}: time: invalid duration ${JSON.stringify(descriptor.slice(every.length))}`,
            );
        }
        // cron.Every: below one second is one second; sub-second parts are dropped.
        return { kind: "every", seconds: Math.max(1, Math.floor(seconds)) };
    }
    throw new CronError(`unrecognized descriptor: ${descriptor}`);
}

function range(from: number, to: number): number[] {
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Seconds of a Go duration (`time.ParseDuration`: `6h`, `1h30m`, `1.5h`, `90s`), or undefined when it is not one. */
export function goDurationSeconds(text: string): number | undefined {
    if (text === "0") return 0;
    const match = /^([-+]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
    if (!match) return undefined;
    let total = 0;
    for (const part of match[2].matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
        total += Number(part[1]) * UNIT_SECONDS[part[2]];
    }
    return match[1] === "-" ? -total : total;
}
