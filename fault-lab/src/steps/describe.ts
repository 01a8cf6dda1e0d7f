import { requestMethod, type RequestStep, type Step } from "./model";

/** Headers a step chose and a body it chose, as JSON (control characters escaped). */
function describeExtras(step: RequestStep): string {
  const headers = Object.entries(step.headers ?? {}).filter(([name]) => name !== "idempotency-key");
  const shown = headers.length > 0 ? ` headers ${JSON.stringify(Object.fromEntries(headers))}` : "";
  const size = step.bodyBytes !== undefined ? ` body of ${step.bodyBytes} bytes` : "";
  if (step.body === undefined || !step.as?.startsWith("mallory")) return `${shown}${size}`;
  // A key is never printed, even a fake one: its letters and digits are masked, the bytes that matter stay visible.
  const body = JSON.stringify(step.body, (name, value: unknown) => (name === "apiKey" && typeof value === "string" ? value.replace(/[A-Za-z0-9]/g, "x") : value));
  return `${shown} body ${body}`;
}

/** One readable line per step, for the lab report and the explorer's violation report. Never prints a key. */
export function describeStep(step: Step): string {
  switch (step.do) {
    case "request":
      return `${step.concurrency && step.concurrency > 1 ? `${step.concurrency}× ` : ""}${requestMethod(step)} ${step.path}${step.as ? ` as ${step.as}` : ""}${describeExtras(step)}`;
    case "connect":
      return `connect ${step.provider} as ${step.as}`;
    case "wait":
      return `wait ${step.ms} ms`;
    case "restartWorker":
      return `restart worker${step.vars ? ` with ${Object.keys(step.vars).map((name) => (step.vars![name] === "" ? `${name} removed` : `${name} set`)).join(", ")}` : ""}`;
    case "rotateSecret":
      return "rotate secret (old one becomes KEY_ENCRYPTION_SECRET_PREV)";
    case "setFaults":
      return `${step.server ?? "any server"} ${step.route}: ${step.faults.map((fault) => JSON.stringify(fault)).join(", ")}`;
    case "clearFaults":
      return "clear faults";
    case "kvOutage":
      return step.on ? "KV outage begins" : "KV outage ends";
    case "doOutage":
      return step.on ? "Durable Object outage begins" : "Durable Object outage ends";
  }
}
