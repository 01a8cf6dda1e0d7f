/**
 * Pure helpers of the diagnostics page, shipped to the browser as source text. They are plain
 * functions of their arguments (no DOM, no clock) so unit tests can evaluate this string and check
 * them with tables. The Worker has no asset pipeline, and wrangler's bundler renames/instruments
 * real functions, so the browser code lives as a string rather than `fn.toString()`.
 */
export const DIAGNOSTICS_LOGIC_JS = String.raw`
const AI_ACTIONS = ["analyze", "batch", "cleanup", "transcribe", "search", "daily-brief"];

const NOTICES = {
  AUTH_EXPIRED: "Session expired — reconnect your key",
  AUTH_REQUIRED: "No key connected — connect one above",
  RATE_LIMITED: "Rate limited — wait before retrying",
};

function isoDay(nowMs) {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** A sample request body per AI action; dates are relative to nowMs so daily-brief has work. */
function sampleInput(action, nowMs) {
  const today = isoDay(nowMs);
  const notes = [
    { id: "n1", title: "Quarterly report", content: "Finish the quarterly report", type: "TASK", dueDate: today, createdAt: nowMs },
    { id: "n2", title: "Podcast idea", content: "A podcast about urban gardens", type: "IDEA", createdAt: nowMs - 86400000 },
  ];
  switch (action) {
    case "analyze":
      return { content: "Call the dentist tomorrow at 9 to move the appointment" };
    case "batch":
      return { content: "Buy milk\nIdea: a podcast about urban gardens\nFinish the quarterly report by Friday" };
    case "cleanup":
      return { content: "um so basically we we need to like ship the release on monday", mode: "single" };
    case "transcribe":
      return { audioBase64: "GkXfo0AgQoaBAUL3gQFC8oEEQvOBCEKCQAR3ZWJtQoeBAkKFgQI=", mimeType: "audio/webm", language: "en" };
    case "search":
      return { query: "What is due this week?", notes };
    case "daily-brief":
      return { notes };
    default:
      return {};
  }
}

/** Retry-After as whole seconds (delta-seconds or HTTP-date), or null when absent/unreadable. */
function parseRetryAfter(header, nowMs) {
  if (header === null || header === undefined) return null;
  const text = String(header).trim();
  if (/^\d+$/.test(text)) return Number(text);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

function isCircuitCause(cause) {
  return cause === "circuit_open" || cause === "provider_circuit_open";
}

/** What the page shows for a failed call: the envelope's fields plus a human notice. */
function describeFailure(status, body, retryAfterHeader, nowMs) {
  const error = body && typeof body === "object" && body.error && typeof body.error === "object" ? body.error : {};
  const code = typeof error.code === "string" ? error.code : "HTTP_" + status;
  const cause = typeof error.cause === "string" ? error.cause : null;
  const retryAfterSec = parseRetryAfter(retryAfterHeader, nowMs);
  let notice = NOTICES[code] || null;
  if (isCircuitCause(cause)) notice = "Circuit open — calls are refused until it closes";
  return {
    status,
    code,
    cause,
    message: typeof error.message === "string" ? error.message : "Request failed with HTTP " + status,
    retryable: error.retryable === true,
    requestId: typeof error.requestId === "string" ? error.requestId : null,
    retryAfterSec,
    notice,
    countdown: isCircuitCause(cause) && retryAfterSec !== null,
  };
}

/** A breaker view from metrics → the state the page shows, with whole seconds left while open. */
function describeCircuit(view) {
  if (!view || typeof view !== "object") return { state: "unknown", remainingSec: null, label: "unknown" };
  const state = view.state === "open" || view.state === "half-open" || view.state === "closed" ? view.state : "unknown";
  const remainingMs = typeof view.remainingMs === "number" ? Math.max(0, view.remainingMs) : 0;
  if (state === "open") {
    const remainingSec = Math.ceil(remainingMs / 1000);
    return { state, remainingSec, label: "open — " + remainingSec + " s left" };
  }
  if (state === "half-open") return { state, remainingSec: 0, label: "half-open — next call is the probe" };
  return { state, remainingSec: null, label: state };
}

/** Auth status JSON → one line for the page. */
function describeAuth(status) {
  if (!status || status.connected !== true) {
    return { connected: false, label: "Not connected (" + ((status && status.scope) || "device") + " scope)" };
  }
  const parts = ["Connected", status.provider, status.scope + " scope"];
  if (typeof status.expiresAt === "number" || typeof status.expiresAt === "string") {
    parts.push("expires " + new Date(status.expiresAt).toISOString());
  }
  return { connected: true, label: parts.filter(Boolean).join(" · ") };
}

/** Seconds left on a countdown that ends at endMs, never negative. */
function secondsLeft(endMs, nowMs) {
  return Math.max(0, Math.ceil((endMs - nowMs) / 1000));
}
`;
