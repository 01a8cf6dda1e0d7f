/**
 * One JSON line per event. Callers pass identifiers and reasons only — never a key, secret, token
 * or request body; `redact` is the last line of defence for values that look like credentials.
 */
type Level = "info" | "warn" | "error";

const CREDENTIAL_PATTERN = /(AIza[0-9A-Za-z_-]{10,}|sk-[A-Za-z0-9_-]{10,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|Bearer\s+\S+)/g;

export function redact(text: string): string {
  return text.replace(CREDENTIAL_PATTERN, "[redacted]");
}

export function log(level: Level, event: string, fields: Record<string, string | number | boolean | undefined> = {}): void {
  const line: Record<string, unknown> = { level, event };
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) line[name] = typeof value === "string" ? redact(value) : value;
  }
  const text = JSON.stringify(line);
  if (level === "error") console.error(text);
  else if (level === "warn") console.warn(text);
  else console.log(text);
}
