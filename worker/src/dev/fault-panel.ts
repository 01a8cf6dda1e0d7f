import { FAULT_PANEL_LOGIC_JS } from "./fault-panel-logic";

/**
 * The diagnostics page's fault panel: buttons that program the local fakes through the Worker's
 * same-origin bridge (`/__dev/lab/*`, dev/lab-control.ts), the faults in force, the probe's status
 * and a small request timeline of the last 30 s (the page's calls, the Worker's answers, the fakes'
 * attempts, the circuit's state). Built with DOM APIs only; no inline code, so the CSP stays strict.
 */
export const FAULT_PANEL_HTML = `
  <section id="fault-panel" class="card wide" aria-labelledby="fault-title">
    <h2 id="fault-title">Fault lab <span class="muted">(drives the local fake backend and providers)</span></h2>
    <div class="row">
      <label>Target
        <select id="fault-target" data-testid="fault-target">
          <option value="backend">backend (/api/v2)</option>
          <option value="gemini">Gemini</option>
          <option value="openrouter">OpenRouter</option>
        </select>
      </label>
      <label>Times <input id="fault-count" data-testid="fault-count" type="number" min="1" max="50" value="3"></label>
      <label>Retry-After (s) <input id="fault-retry-after" data-testid="fault-retry-after" type="number" min="0" max="3600" value="5"></label>
      <button id="inject-5xx" data-testid="inject-5xx" type="button">Inject 5xx burst</button>
      <button id="inject-hang" data-testid="inject-hang" type="button">Inject hang</button>
      <button id="inject-429" data-testid="inject-429" type="button">Inject 429 + Retry-After</button>
      <button id="clear-faults" data-testid="clear-faults" type="button" class="secondary">Clear faults</button>
    </div>
    <div class="fault-columns">
      <div>
        <h3>Faults in force</h3>
        <ul id="active-faults" data-testid="active-faults" class="fault-list" data-count="0"><li class="muted">none</li></ul>
        <h3>Half-open probe</h3>
        <p id="probe-status" data-testid="probe-status" data-probes="0" class="probe-line">No opening seen yet.</p>
      </div>
      <div id="fault-result" data-testid="fault-result" class="result" aria-live="polite"></div>
    </div>
    <h3>Request timeline <span class="muted">(last 30 s: the page's calls, the Worker's answers, the fakes' attempts)</span></h3>
    <div id="fault-timeline" data-testid="fault-timeline" class="fault-timeline"></div>
  </section>
`;

export const FAULT_PANEL_CSS = `
.fault-columns { display: grid; grid-template-columns: minmax(260px, 1fr) 2fr; gap: 16px; }
.fault-list { margin: 0; padding-left: 18px; font-size: .85rem; }
.probe-line { margin: 0; font-weight: 600; }
.probe-line[data-probes="1"] { color: var(--ok); }
.fault-timeline svg { width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.fault-timeline text { font: 11px system-ui, sans-serif; fill: #333; }
.fault-timeline .lane-line { stroke: #ddd; }
.fault-timeline .band-closed { fill: #dcf5e3; } .fault-timeline .band-open { fill: #fde2e2; } .fault-timeline .band-half-open { fill: #fff1c7; }
.fault-timeline .tone-ok { fill: var(--ok); stroke: var(--ok); } .fault-timeline .tone-warn { fill: var(--warn); stroke: var(--warn); }
.fault-timeline .tone-bad { fill: var(--bad); stroke: var(--bad); }
.fault-timeline .reject { fill: #fff; stroke-width: 2; } .fault-timeline .probe { stroke: #111; stroke-width: 1.2; }
`;

const FAULT_PANEL_DOM_JS = String.raw`
const SVG_NS = "http://www.w3.org/2000/svg";
const panelCalls = [];
const circuitHistory = [];
let labEvents = [];

/** Called by call() for every request the page makes; polling and the panel's own calls are left out. */
function recordCall(method, path, status, startMs, endMs, body) {
  if (!path.startsWith("/api/") || path === "/api/v1/metrics" || path === "/api/v1/auth/status") return;
  const cause = body && body.error && typeof body.error.cause === "string" ? body.error.cause : null;
  panelCalls.push({ method, path, status, startMs, endMs, cause });
  if (panelCalls.length > 200) panelCalls.shift();
}

function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function drawTimeline() {
  const now = Date.now();
  const width = 1000, left = 80, top = 24, laneH = 22;
  const plot = (fraction) => left + fraction * (width - left - 10);
  const height = top + TIMELINE_LANES.length * laneH + 18;
  const svg = svgEl("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": "request timeline, last 30 seconds" });
  svg.append(svgEl("text", { x: 6, y: 16 }, "circuit"));
  for (const band of circuitBands(circuitHistory, now)) {
    const bandWidth = Math.max(1, plot(band.x2) - plot(band.x1));
    svg.append(svgEl("rect", { x: plot(band.x1), y: 4, width: bandWidth, height: 16, class: "band-" + band.state, "data-state": band.state }));
    if (bandWidth > 60) svg.append(svgEl("text", { x: plot(band.x1) + 4, y: 16 }, band.state));
  }
  TIMELINE_LANES.forEach((lane, index) => {
    const y = top + index * laneH + laneH / 2;
    svg.append(svgEl("text", { x: 6, y: y + 4 }, lane), svgEl("line", { x1: left, y1: y, x2: width - 10, y2: y, class: "lane-line" }));
  });
  for (let s = 0; s <= 30; s += 5) svg.append(svgEl("text", { x: plot(s / 30) - (s === 30 ? 22 : 8), y: height - 4 }, s === 30 ? "now" : "-" + (30 - s) + " s"));
  const probes = findProbes(labEvents, circuitHistory);
  for (const mark of timelineMarks(panelCalls, labEvents, probes, now)) {
    const y = top + TIMELINE_LANES.indexOf(mark.lane) * laneH + laneH / 2;
    const group = svgEl("g", { class: "mark lane-" + mark.lane + " kind-" + mark.kind, "data-tone": mark.tone });
    group.append(svgEl("title", {}, mark.label));
    if (plot(mark.x2) - plot(mark.x1) > 2) group.append(svgEl("line", { x1: plot(mark.x1), y1: y, x2: plot(mark.x2), y2: y, class: "tone-" + mark.tone, "stroke-width": 3, opacity: 0.5 }));
    const x = plot(mark.x2);
    if (mark.kind === "probe") group.append(svgEl("polygon", { points: x + "," + (y - 8) + " " + (x + 7) + "," + y + " " + x + "," + (y + 8) + " " + (x - 7) + "," + y, class: "probe tone-" + mark.tone }));
    else if (mark.kind === "reject") group.append(svgEl("rect", { x: x - 4, y: y - 4, width: 8, height: 8, class: "reject tone-" + mark.tone }));
    else group.append(svgEl("circle", { cx: x, cy: y, r: 4, class: "tone-" + mark.tone }));
    svg.append(group);
  }
  $("fault-timeline").replaceChildren(svg);
  renderProbeStatus(probes);
}

function renderProbeStatus(probes) {
  const node = $("probe-status");
  const lastOpen = [...circuitHistory].reverse().find((entry) => entry.state === "open");
  const current = circuitHistory.length ? circuitHistory[circuitHistory.length - 1].state : "closed";
  if (!lastOpen) { node.dataset.probes = "0"; node.textContent = "No opening seen yet."; return; }
  const after = labEvents.filter((event) => probes.includes(event.seq) && event.t >= lastOpen.t);
  node.dataset.probes = String(after.length);
  if (after.length === 0) {
    node.textContent = current === "open" ? "Circuit open: no upstream call until the window ends; the next call then is the single probe." : "Window over: the next call is the probe.";
    return;
  }
  const probe = after[after.length - 1];
  node.dataset.probeStatus = String(probe.status);
  node.textContent = (after.length === 1 ? "1 probe" : after.length + " probes") + " sent after the opening → " + (probe.status === null ? probe.outcome : "HTTP " + probe.status) + "; circuit " + current + ".";
}

function watchCircuit() {
  const pill = $("vps-circuit");
  const push = () => {
    const state = pill.dataset.state;
    if (!["closed", "open", "half-open"].includes(state)) return;
    const last = circuitHistory[circuitHistory.length - 1];
    if (!last || last.state !== state) circuitHistory.push({ t: Date.now(), state });
    if (circuitHistory.length > 100) circuitHistory.shift();
  };
  new MutationObserver(push).observe(pill, { attributes: true, attributeFilter: ["data-state"] });
  push();
}

async function refreshFaults() {
  const result = await call("GET", "/__dev/lab/faults");
  const list = $("active-faults");
  const lines = result.ok ? describeFaults(result.body.faults) : ["fault list unavailable (HTTP " + result.status + ")"];
  list.dataset.count = result.ok ? String(lines.length) : "0";
  list.replaceChildren(...(lines.length ? lines.map((line) => el("li", { text: line })) : [el("li", { className: "muted", text: "none" })]));
}

let labEventsInFlight = false;
async function refreshLabEvents() {
  if (labEventsInFlight) return;
  labEventsInFlight = true;
  try {
    const result = await call("GET", "/__dev/lab/events");
    if (result.ok && result.body && Array.isArray(result.body.events)) labEvents = result.body.events;
    await refreshFaults();
  } finally {
    labEventsInFlight = false;
  }
  drawTimeline();
}

function inject(preset) {
  const button = $("inject-" + preset);
  void withBusy(button, async () => {
    const rule = faultPreset(preset, $("fault-target").value, $("fault-count").value, $("fault-retry-after").value);
    renderResult($("fault-result"), await call("POST", "/__dev/lab/faults", rule));
    await refreshFaults();
  });
}

for (const preset of FAULT_PRESETS) $("inject-" + preset).addEventListener("click", () => inject(preset));
$("clear-faults").addEventListener("click", () => void withBusy($("clear-faults"), async () => {
  renderResult($("fault-result"), await call("DELETE", "/__dev/lab/faults"));
  await refreshFaults();
}));
watchCircuit();
void refreshFaults();
void refreshLabEvents();
setInterval(refreshLabEvents, 1000);
setInterval(drawTimeline, 250);
`;

export const FAULT_PANEL_JS = `${FAULT_PANEL_LOGIC_JS}\n${FAULT_PANEL_DOM_JS}`;
