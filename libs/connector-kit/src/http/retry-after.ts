/**
 * Reads a `Retry-After` header (RFC 9110): delay-seconds or an HTTP date. Returns milliseconds
 * from `now`, or undefined when absent or unreadable. Capped so a hostile or broken header cannot
 * park a connector for days.
 */
export function parseRetryAfter(value: string | undefined, now: number, capMs = 10 * 60_000): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Math.min(Number(text) * 1000, capMs);
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[A-Za-z]/.test(text)) return undefined;
  return Math.min(Math.max(0, at - now), capMs);
}
