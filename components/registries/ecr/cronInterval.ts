/**
 * The longest time between two runs of a cron schedule, for the 12-hour rule of ECR logins. The schedule is read the
 * way Kubernetes reads it (`cronSchedule.ts`, robfig/cron v3's rules, including when the two day fields combine); the
 * gap is computed day by day over two years, so monthly and yearly schedules are measured exactly.
 */
import { parseKubernetesSchedule } from "./cronSchedule";

const DAY = 24 * 60;

/** Longest gap between consecutive runs, in minutes; undefined when the schedule cannot be parsed or never runs. */
export function longestCronGapMinutes(schedule: string): number | undefined {
    let parsed: ReturnType<typeof parseKubernetesSchedule>;
    try {
        parsed = parseKubernetesSchedule(schedule);
    } catch {
        return undefined;
    }
    if (parsed.kind === "every") {
        return parsed.seconds / 60;
    }
    const times = parsed.hours.flatMap((h) => parsed.minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
    // robfig/cron's dayMatches: with a star in either day field both must match, otherwise either.
    const runs = (date: Date) => {
        if (!parsed.months.has(date.getUTCMonth() + 1)) return false;
        const dom = parsed.daysOfMonth.has(date.getUTCDate());
        const dow = parsed.daysOfWeek.has(date.getUTCDay());
        return parsed.dayStar ? dom && dow : dom || dow;
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
