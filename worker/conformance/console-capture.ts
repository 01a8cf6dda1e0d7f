import { vi } from "vitest";

/**
 * Captures the Worker's console output for the whole file: the suite asserts no key ever reaches a
 * log line (docs/api.md#error-envelope), and the expected warnings (fallbacks, failed upstreams) stay out of the report.
 */
export function captureConsole(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const record = (...args: unknown[]) => {
    lines.push(args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" "));
  };
  const spies = [vi.spyOn(console, "log").mockImplementation(record), vi.spyOn(console, "warn").mockImplementation(record), vi.spyOn(console, "error").mockImplementation(record)];
  return {
    lines,
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}
