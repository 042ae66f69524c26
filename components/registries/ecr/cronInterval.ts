/**
 * The longest time between two runs of a cron schedule, for the 12-hour rule of ECR logins. Fields are parsed by
 * cron-parser; the gap is computed day by day over two years, so monthly and yearly schedules are measured exactly.
 */
import { CronExpressionParser } from "cron-parser";

const DAY = 24 * 60;

/** Longest gap between consecutive runs, in minutes; undefined when the schedule cannot be parsed or never runs. */
export function longestCronGapMinutes(schedule: string): number | undefined {
    let fields: ReturnType<typeof CronExpressionParser.parse>["fields"];
    try {
        fields = CronExpressionParser.parse(schedule).fields;
    } catch {
        return undefined;
    }
    const times = fields.hour.values.flatMap((h) => fields.minute.values.map((m) => Number(h) * 60 + Number(m))).sort((a, b) => a - b);
    const months = new Set(fields.month.values.map(Number));
    const daysOfMonth = new Set(fields.dayOfMonth.values.map((d) => (d === "L" ? -1 : Number(d))));
    const daysOfWeek = new Set(fields.dayOfWeek.values.map((d) => Number(d) % 7));
    // Classic cron: with both day fields restricted, a day matches either; otherwise both must match.
    const either = !fields.dayOfMonth.isWildcard && !fields.dayOfWeek.isWildcard;
    const runs = (date: Date) => {
        if (!months.has(date.getUTCMonth() + 1)) return false;
        const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate() === date.getUTCDate();
        const dom = daysOfMonth.has(date.getUTCDate()) || (last && daysOfMonth.has(-1));
        const dow = daysOfWeek.has(date.getUTCDay());
        return either ? dom || dow : dom && dow;
    };
    if (times.length === 0) return undefined;
    let longest = 0;
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i] - times[i - 1]);
    // Two years from a leap year's start: every month length and weekday combination is seen.
    const start = Date.UTC(2028, 0, 1);
    let previousDay: number | undefined;
    for (let day = 0; day < 2 * 366; day++) {
        if (!runs(new Date(start + day * DAY * 60_000))) continue;
        if (previousDay !== undefined) {
            longest = Math.max(longest, (day - previousDay) * DAY + times[0] - times[times.length - 1]);
        }
        previousDay = day;
    }
    return previousDay === undefined ? undefined : longest;
}
