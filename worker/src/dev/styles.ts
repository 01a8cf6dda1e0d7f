import { FAULT_PANEL_CSS } from "./fault-panel";

/** Stylesheet of the diagnostics page, served at /__dev/app.css (the CSP allows styles from 'self' only). */
export const DIAGNOSTICS_CSS = `
:root {
  --bg: #f5f6f8; --card: #fff; --ink: #1d2430; --muted: #667085; --line: #dde1e8;
  --accent: #3451b2; --ok: #1a7f37; --warn: #9a6700; --bad: #c62828;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
.top { padding: 18px 24px 6px; }
h1 { font-size: 1.35rem; margin: 0 0 4px; }
h2 { font-size: 1.05rem; margin: 0 0 12px; display: flex; gap: 8px; align-items: baseline; }
h3 { font-size: .9rem; margin: 14px 0 6px; color: var(--muted); }
.tag { font-size: .75rem; font-weight: 500; color: #fff; background: var(--accent); border-radius: 999px; padding: 2px 10px; vertical-align: middle; }
.hint, .muted { color: var(--muted); font-size: .85rem; font-weight: 400; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; padding: 12px 24px 32px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; min-width: 0; }
.wide { grid-column: 1 / -1; }
.row { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-end; }
.grow { flex: 1 1 200px; }
label { display: flex; flex-direction: column; gap: 4px; font-size: .8rem; color: var(--muted); }
label.block { margin-top: 10px; }
input, select, textarea {
  font: inherit; color: var(--ink); border: 1px solid var(--line); border-radius: 6px; padding: 6px 8px; background: #fff;
}
textarea { width: 100%; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .82rem; resize: vertical; }
button {
  font: inherit; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 6px;
  padding: 6px 14px; cursor: pointer;
}
button.secondary { background: #fff; color: var(--accent); }
button.link { border: none; background: none; color: var(--accent); padding: 0 4px; text-decoration: underline; }
button:disabled { opacity: .55; cursor: progress; }
.status-line { margin: 12px 0 0; }
#auth-status[data-connected="true"] { color: var(--ok); }
#auth-status[data-connected="false"] { color: var(--warn); }
.result { margin-top: 12px; }
.result:empty { display: none; }
.meta { font-size: .8rem; color: var(--muted); margin-bottom: 6px; }
.meta .ok { color: var(--ok); font-weight: 600; }
.meta .bad { color: var(--bad); font-weight: 600; }
pre {
  margin: 0; background: #f0f2f6; border-radius: 6px; padding: 10px; overflow: auto; max-height: 320px;
  font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .8rem; white-space: pre-wrap; word-break: break-word;
}
.error-card { border: 1px solid #f3c1c1; background: #fff5f5; border-radius: 8px; padding: 10px 12px; }
.error-card .notice { font-weight: 600; color: var(--bad); margin: 0 0 8px; }
.error-card .countdown { font-weight: 600; color: var(--warn); margin: 8px 0 0; }
dl.kv, dl.error-fields { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; }
dl.error-fields { font-size: .85rem; }
dt { color: var(--muted); }
dd { margin: 0; font-variant-numeric: tabular-nums; }
.pill { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: .85rem; font-weight: 600; background: #eceff3; }
.pill[data-state="closed"] { background: #dcf5e3; color: var(--ok); }
.pill[data-state="open"] { background: #fde2e2; color: var(--bad); }
.pill[data-state="half-open"] { background: #fff1c7; color: var(--warn); }
dl.counters { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 8px; margin: 0 0 10px; }
dl.counters div { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
dl.counters dt { font-size: .75rem; }
dl.counters dd { font-size: 1.15rem; font-weight: 600; }
details summary { cursor: pointer; color: var(--accent); font-size: .85rem; margin-bottom: 6px; }
${FAULT_PANEL_CSS}`;
