import { FAULT_PANEL_JS } from "./fault-panel";
import { DIAGNOSTICS_LOGIC_JS } from "./logic";

/**
 * Browser side of the diagnostics page, served at /__dev/app.js as a module script. DOM is built
 * with textContent only (server text is never parsed as HTML). Every call is same-origin with
 * credentials, so the HttpOnly session cookie travels without the page ever seeing it.
 */
const DIAGNOSTICS_DOM_JS = String.raw`
const $ = (id) => document.getElementById(id);
const countdowns = new Map();

const COUNTERS = [
  ["requests", (s) => s.metrics.requests],
  ["authFailures", (s) => s.metrics.authFailures],
  ["providerFailures", (s) => s.metrics.providerFailures],
  ["rateLimited", (s) => s.metrics.rateLimited],
  ["timeouts", (s) => s.metrics.timeouts],
  ["vpsProxyFailures", (s) => s.metrics.vpsProxyFailures],
  ["vpsProxyRetries", (s) => s.metrics.vpsProxyRetries],
  ["vpsProxyCircuitOpens", (s) => s.metrics.vpsProxyCircuitOpens],
  ["vpsProxyCircuitRejects", (s) => s.metrics.vpsProxyCircuitRejects],
  ["circuitOpens", (s) => s.metrics.circuitOpens],
  ["kvFailures", (s) => s.reliability && s.reliability.kvFailures],
  ["fallbackDecrypts", (s) => s.reliability && s.reliability.secretRotation.fallbackDecrypts],
  ["reencryptSuccesses", (s) => s.reliability && s.reliability.secretRotation.reencryptSuccesses],
  ["decryptFailures", (s) => s.reliability && s.reliability.secretRotation.decryptFailures],
];

function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children || []) node.append(child);
  return node;
}

async function call(method, path, body) {
  const started = performance.now();
  const startedAt = Date.now();
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    const response = await fetch(path, init);
    const text = await response.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    recordCall(method, path, response.status, startedAt, Date.now(), parsed);
    return {
      ok: response.ok, status: response.status, ms: Math.round(performance.now() - started), body: parsed,
      retryAfter: response.headers.get("Retry-After"), requestId: response.headers.get("X-Request-Id"),
    };
  } catch (error) {
    recordCall(method, path, 0, startedAt, Date.now(), null);
    return { ok: false, status: 0, ms: Math.round(performance.now() - started), body: { error: { code: "NETWORK", message: String(error) } }, retryAfter: null, requestId: null };
  }
}

function stopCountdown(container) {
  clearInterval(countdowns.get(container));
  countdowns.delete(container);
}

function startCountdown(container, node, seconds) {
  const endMs = Date.now() + seconds * 1000;
  const tick = () => {
    const left = secondsLeft(endMs, Date.now());
    node.dataset.remaining = String(left);
    node.textContent = left > 0 ? "Circuit open — retry in " + left + " s" : "Window over — the next call is the probe";
    if (left === 0) stopCountdown(container);
  };
  tick();
  countdowns.set(container, setInterval(tick, 250));
}

function errorCard(container, result) {
  const failure = describeFailure(result.status, result.body, result.retryAfter, Date.now());
  const field = (label, testid, value) => [el("dt", { text: label }), el("dd", { "data-testid": testid, text: value === null || value === undefined ? "—" : String(value) })];
  const card = el("div", { className: "error-card", "data-testid": "error", "data-code": failure.code }, []);
  if (failure.notice) card.append(el("p", { className: "notice", "data-testid": "error-notice", text: failure.notice }));
  card.append(el("dl", { className: "error-fields" }, [
    ...field("Code", "error-code", failure.code),
    ...field("Cause", "error-cause", failure.cause),
    ...field("Message", "error-message", failure.message),
    ...field("Retry-After", "error-retry-after", failure.retryAfterSec === null ? null : failure.retryAfterSec + " s"),
    ...field("Retryable", "error-retryable", failure.retryable ? "yes" : "no"),
    ...field("Request id", "error-request-id", failure.requestId),
  ]));
  if (failure.countdown) {
    const node = el("p", { className: "countdown", "data-testid": "error-countdown" }, []);
    card.append(node);
    startCountdown(container, node, failure.retryAfterSec);
  }
  return card;
}

function renderResult(container, result) {
  stopCountdown(container);
  const meta = el("div", { className: "meta" }, [
    el("span", { className: result.ok ? "ok" : "bad", "data-testid": "result-status", text: "HTTP " + result.status }),
    " · " + result.ms + " ms" + (result.requestId ? " · request " + result.requestId : ""),
  ]);
  const content = result.ok
    ? el("pre", { "data-testid": "result-json", text: JSON.stringify(result.body, null, 2) })
    : errorCard(container, result);
  container.replaceChildren(meta, content);
  container.dataset.status = String(result.status);
  container.dataset.seq = String(Number(container.dataset.seq || 0) + 1);
}

async function withBusy(button, work) {
  button.disabled = true;
  try { await work(); } finally { button.disabled = false; }
}

async function refreshAuth() {
  const result = await call("GET", "/api/v1/auth/status");
  const node = $("auth-status");
  if (!result.ok) {
    node.dataset.connected = "unknown";
    node.textContent = "status unavailable (HTTP " + result.status + ")";
    return;
  }
  const auth = describeAuth(result.body);
  node.dataset.connected = String(auth.connected);
  node.textContent = auth.label;
}

function afterFailure(result) {
  const code = result.body && result.body.error && result.body.error.code;
  if (code === "AUTH_EXPIRED" || code === "AUTH_REQUIRED") void refreshAuth();
}

function renderCircuit(node, view) {
  const circuit = describeCircuit(view);
  node.dataset.state = circuit.state;
  node.dataset.remaining = circuit.remainingSec === null ? "" : String(circuit.remainingSec);
  node.textContent = circuit.label;
}

function renderMetrics(snapshot) {
  renderCircuit($("vps-circuit"), snapshot.vpsProxyCircuit);
  const providers = snapshot.providerCircuits || {};
  const rows = Object.keys(providers).sort().flatMap((name) => {
    const pill = el("span", { className: "pill", "data-testid": "provider-circuit-" + name }, []);
    renderCircuit(pill, providers[name]);
    return [el("dt", { text: name }), el("dd", {}, [pill])];
  });
  $("provider-circuits").replaceChildren(...(rows.length ? rows : [el("dt", { text: "none reported" }), el("dd")]));
  $("metrics").replaceChildren(...COUNTERS.map(([name, pick]) => {
    const value = pick(snapshot);
    return el("div", {}, [el("dt", { text: name }), el("dd", { "data-testid": "metric-" + name, text: value === undefined ? "—" : String(value) })]);
  }));
  $("metrics-json").textContent = JSON.stringify(snapshot, null, 2);
  $("metrics-updated").textContent = "updated " + new Date().toLocaleTimeString();
}

let metricsInFlight = false;
async function refreshMetrics() {
  if (metricsInFlight) return;
  metricsInFlight = true;
  try {
    const result = await call("GET", "/api/v1/metrics");
    if (result.ok && result.body && typeof result.body === "object") renderMetrics(result.body);
    else $("metrics-updated").textContent = "metrics unavailable (HTTP " + result.status + ")";
  } finally {
    metricsInFlight = false;
  }
}

function resetSample() {
  $("ai-input").value = JSON.stringify(sampleInput($("ai-action").value, Date.now()), null, 2);
}

$("connect-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void withBusy($("connect"), async () => {
    const keyInput = $("api-key");
    const result = await call("POST", "/api/v1/auth/connect", { provider: $("provider").value, apiKey: keyInput.value });
    if (result.ok) keyInput.value = "";
    renderResult($("auth-result"), result);
    await refreshAuth();
  });
});

$("disconnect").addEventListener("click", () => void withBusy($("disconnect"), async () => {
  renderResult($("auth-result"), await call("POST", "/api/v1/auth/disconnect", {}));
  await refreshAuth();
}));

$("refresh-status").addEventListener("click", () => void refreshAuth());

$("run-ai").addEventListener("click", () => void withBusy($("run-ai"), async () => {
  let body;
  try {
    body = JSON.parse($("ai-input").value || "{}");
  } catch (error) {
    renderResult($("ai-result"), { ok: false, status: 0, ms: 0, requestId: null, retryAfter: null,
      body: { error: { code: "INVALID_INPUT", message: "The request body is not valid JSON: " + error.message } } });
    return;
  }
  const result = await call("POST", "/api/v1/ai/" + $("ai-action").value, body);
  renderResult($("ai-result"), result);
  if (!result.ok) afterFailure(result);
}));

$("call-v2").addEventListener("click", () => void withBusy($("call-v2"), async () => {
  const path = $("v2-path").value.trim();
  const safePath = path.startsWith("/api/v2/") ? path : "/api/v2/sync/pull";
  renderResult($("v2-result"), await call("GET", safePath));
  void refreshMetrics();
}));

$("ai-action").replaceChildren(...AI_ACTIONS.map((action) => el("option", { value: action, text: action })));
$("ai-action").addEventListener("change", resetSample);
$("ai-reset").addEventListener("click", resetSample);
resetSample();
void refreshAuth();
void refreshMetrics();
setInterval(refreshMetrics, 1000);
document.body.dataset.ready = "true";
`;

export const DIAGNOSTICS_APP_JS = `${DIAGNOSTICS_LOGIC_JS}\n${DIAGNOSTICS_DOM_JS}\n${FAULT_PANEL_JS}`;
