/**
 * Pure helpers of the diagnostics page's fault panel, shipped as source text like logic.ts (unit
 * tests evaluate this exact string). No DOM, no clock: times come in as arguments.
 */
export const FAULT_PANEL_LOGIC_JS = String.raw`
const FAULT_TARGETS = ["backend", "gemini", "openrouter"];
const FAULT_PRESETS = ["5xx", "hang", "429"];
const TIMELINE_WINDOW_MS = 30000;
const TIMELINE_LANES = ["page", "Worker", "backend", "gemini", "openrouter"];

function clampInt(value, min, max, fallback) {
  const number = Math.trunc(Number(value));
  if (!Number.isFinite(number)) return fallback;
  return Math.min(max, Math.max(min, number));
}

/** The control-API rule for a preset: a 5xx burst, a hang past the timeout, a 429 with Retry-After. */
function faultPreset(preset, server, count, retryAfterSec) {
  const times = clampInt(count, 1, 50, 3);
  const target = FAULT_TARGETS.includes(server) ? server : "backend";
  if (preset === "hang") return { server: target, route: "*", faults: [{ kind: "hang", times }] };
  if (preset === "429") return { server: target, route: "*", faults: [{ kind: "status", status: 429, retryAfter: clampInt(retryAfterSec, 0, 3600, 5), times }] };
  return { server: target, route: "*", faults: [{ kind: "status", status: 503, times }] };
}

/** One line per active fault rule, as the control API lists them. */
function describeFaults(rules) {
  if (!Array.isArray(rules)) return [];
  return rules.flatMap((rule) => (Array.isArray(rule.faults) ? rule.faults : []).map((fault) => {
    const what = fault.kind === "status" ? fault.status + (fault.retryAfter !== undefined ? " Retry-After " + fault.retryAfter + " s" : "") : String(fault.kind);
    const left = fault.remaining === null || fault.remaining === undefined ? "until cleared" : fault.remaining + " left";
    return (rule.server || "any") + " " + rule.route + ": " + what + " (" + left + ")";
  }));
}

/** The circuit state the page had last seen at time t (history of {t, state}, oldest first). */
function stateAt(history, t) {
  let state = "closed";
  for (const entry of history) {
    if (entry.t > t) break;
    state = entry.state;
  }
  return state;
}

/**
 * Seqs of backend attempts that were half-open probes: an open circuit sends nothing upstream, so
 * the first backend attempt while the circuit was last seen not closed is the probe.
 */
function findProbes(events, history) {
  const probes = [];
  let probed = false;
  const backend = events.filter((event) => event.server === "backend").sort((a, b) => a.t - b.t || a.seq - b.seq);
  for (const event of backend) {
    const state = stateAt(history, event.t);
    if (state === "closed") { probed = false; continue; }
    if (!probed) { probes.push(event.seq); probed = true; }
  }
  return probes;
}

function toneOf(status) {
  if (status === null || status === undefined || status === 0 || status >= 500) return "bad";
  if (status >= 400) return "warn";
  return "ok";
}

/**
 * Marks for the request timeline over the last TIMELINE_WINDOW_MS: the page's calls (sent →
 * answered) and the Worker's answers, the fakes' attempts, each with x from 0 (oldest) to 1 (now).
 */
function timelineMarks(calls, events, probes, nowMs) {
  const start = nowMs - TIMELINE_WINDOW_MS;
  const x = (t) => Math.min(1, Math.max(0, (t - start) / TIMELINE_WINDOW_MS));
  const marks = [];
  for (const call of calls) {
    if (call.endMs < start) continue;
    const tone = toneOf(call.status);
    const label = call.method + " " + call.path + " → " + call.status + (call.cause ? " " + call.cause : "");
    marks.push({ lane: "page", x1: x(call.startMs), x2: x(call.endMs), tone, kind: "call", label });
    marks.push({ lane: "Worker", x1: x(call.endMs), x2: x(call.endMs), tone, kind: call.cause === "circuit_open" ? "reject" : "answer", label });
  }
  for (const event of events) {
    const end = event.t + (event.durationMs || 0);
    if (end < start || !TIMELINE_LANES.includes(event.server)) continue;
    const probe = probes.includes(event.seq);
    const label = (probe ? "probe: " : "") + event.server + " " + event.method + " " + event.route + " → " + (event.status === null ? event.outcome : event.status);
    marks.push({ lane: event.server, x1: x(event.t), x2: x(end), tone: event.status === null ? "bad" : toneOf(event.status), kind: probe ? "probe" : "attempt", label });
  }
  return marks;
}

/** The circuit history over the window as bands {x1, x2, state}. */
function circuitBands(history, nowMs) {
  const start = nowMs - TIMELINE_WINDOW_MS;
  const bands = [];
  history.forEach((entry, index) => {
    const next = history[index + 1];
    const from = Math.max(entry.t, start);
    const to = next ? next.t : nowMs;
    if (to <= start) return;
    bands.push({ x1: (from - start) / TIMELINE_WINDOW_MS, x2: Math.min(1, (to - start) / TIMELINE_WINDOW_MS), state: entry.state });
  });
  return bands;
}
`;
