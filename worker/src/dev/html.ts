import { FAULT_PANEL_HTML } from "./fault-panel";

/**
 * The diagnostics page markup. No inline script or style (the CSP forbids both): behaviour comes
 * from /__dev/app.js and looks from /__dev/app.css. Ids and data-testid values are stable — the
 * Playwright specs in e2e/ select by them.
 */
export const DIAGNOSTICS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PocketBrain AI Proxy — diagnostics</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/__dev/app.css">
<script type="module" src="/__dev/app.js"></script>
</head>
<body>
<header class="top">
  <h1>PocketBrain AI Proxy <span class="tag">diagnostics · local dev only</span></h1>
  <p class="hint">Served by the Worker only in development on a loopback host. Keys go to the Worker once and never come back.</p>
</header>
<main class="grid">
  <section id="auth-panel" class="card" aria-labelledby="auth-title">
    <h2 id="auth-title">Key &amp; session</h2>
    <form id="connect-form" class="row" autocomplete="off">
      <label>Provider
        <select id="provider" data-testid="provider">
          <option value="gemini">Gemini</option>
          <option value="openrouter">OpenRouter</option>
        </select>
      </label>
      <label class="grow">API key
        <input id="api-key" data-testid="api-key" type="password" placeholder="paste a provider key" required>
      </label>
      <button id="connect" data-testid="connect" type="submit">Connect</button>
      <button id="disconnect" data-testid="disconnect" type="button" class="secondary">Disconnect</button>
    </form>
    <p class="status-line">Status: <strong id="auth-status" data-testid="auth-status" data-connected="unknown">checking…</strong>
      <button id="refresh-status" data-testid="refresh-status" type="button" class="link">refresh</button></p>
    <div id="auth-result" data-testid="auth-result" class="result" aria-live="polite"></div>
  </section>

  <section id="ai-panel" class="card" aria-labelledby="ai-title">
    <h2 id="ai-title">AI actions</h2>
    <div class="row">
      <label>Action
        <select id="ai-action" data-testid="ai-action"></select>
      </label>
      <button id="ai-reset" data-testid="ai-reset" type="button" class="secondary">Sample input</button>
      <button id="run-ai" data-testid="run-ai" type="button">Run</button>
    </div>
    <label class="block">Request body (JSON)
      <textarea id="ai-input" data-testid="ai-input" rows="7" spellcheck="false"></textarea>
    </label>
    <div id="ai-result" data-testid="ai-result" class="result" aria-live="polite"></div>
  </section>

  <section id="v2-panel" class="card" aria-labelledby="v2-title">
    <h2 id="v2-title">Backend passthrough</h2>
    <div class="row">
      <label class="grow">GET path
        <input id="v2-path" data-testid="v2-path" value="/api/v2/sync/pull" spellcheck="false">
      </label>
      <button id="call-v2" data-testid="call-v2" type="button">Call</button>
    </div>
    <div id="v2-result" data-testid="v2-result" class="result" aria-live="polite"></div>
  </section>

  <section id="breaker-panel" class="card" aria-labelledby="breaker-title">
    <h2 id="breaker-title">Breakers <span id="metrics-updated" data-testid="metrics-updated" class="muted">waiting…</span></h2>
    <dl class="kv">
      <dt>/api/v2 circuit</dt>
      <dd><span id="vps-circuit" data-testid="vps-circuit" class="pill" data-state="unknown">unknown</span></dd>
    </dl>
    <h3>Provider circuits</h3>
    <dl id="provider-circuits" data-testid="provider-circuits" class="kv"><dt>none reported</dt><dd></dd></dl>
  </section>

${FAULT_PANEL_HTML}
  <section id="metrics-panel" class="card wide" aria-labelledby="metrics-title">
    <h2 id="metrics-title">Live metrics <span class="muted">(GET /api/v1/metrics every second)</span></h2>
    <dl id="metrics" data-testid="metrics" class="counters"></dl>
    <details>
      <summary>Full metrics JSON</summary>
      <pre id="metrics-json" data-testid="metrics-json"></pre>
    </details>
  </section>
</main>
</body>
</html>
`;
