export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `YYYY-MM-DD` of `ms` shifted by `offsetMs` (a fixed timezone offset, e.g. WIB = +7 h). */
export function isoDate(ms: number, offsetMs = 0): string {
  return new Date(ms + offsetMs).toISOString().slice(0, 10);
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / SECOND);
}

/** Midnight (in the zone of `offsetMs`) of the day containing `ms`, as epoch milliseconds. */
export function startOfDay(ms: number, offsetMs = 0): number {
  return Math.floor((ms + offsetMs) / DAY) * DAY - offsetMs;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a strict `YYYY-MM-DD` calendar date to midnight of that day in the given zone. */
export function parseIsoDate(text: string, offsetMs = 0): number | undefined {
  const match = ISO_DATE.exec(text);
  if (!match) return undefined;
  const [, year, month, day] = match;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day));
  if (isoDate(ms) !== text) return undefined;
  return ms - offsetMs;
}
