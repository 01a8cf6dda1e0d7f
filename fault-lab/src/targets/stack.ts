import { fetchWithHost } from "../scenario/host-fetch";
import type { ClientRecord } from "../scenario/records";
import type { RunState } from "../scenario/run-state";
import type { Answer, ClientRequest, Target } from "./target";

/** A client waits this long for the Worker at most (no scenario step legitimately takes longer). */
const CLIENT_LIMIT_MS = 60_000;

async function sendOne(state: RunState, request: ClientRequest): Promise<ClientRecord> {
  const t = state.deps.now();
  const record: ClientRecord = { label: request.label, index: request.index, t: t - state.startedAt, method: request.method, path: request.path, status: null, ms: 0, retryAfter: null, headers: {}, setCookies: [], body: "" };
  try {
    const url = `${state.target.workerUrl}${request.path}`;
    const headers = new Headers(request.headers);
    const init = { method: request.method, headers, body: request.body, signal: AbortSignal.timeout(CLIENT_LIMIT_MS) };
    const response = headers.has("host") ? await fetchWithHost(url, init) : await state.deps.fetch(url, { ...init, redirect: "manual" });
    record.body = await response.text();
    record.status = response.status;
    record.headers = Object.fromEntries(response.headers.entries());
    record.setCookies = response.headers.getSetCookie();
    record.retryAfter = response.headers.get("retry-after");
    try {
      const parsed = JSON.parse(record.body) as { error?: { code?: string; cause?: string } };
      if (parsed.error?.code) record.code = parsed.error.code;
      if (parsed.error?.cause) record.cause = parsed.error.cause;
    } catch {
      // Not JSON (SSE, text): status and headers are what the assertions read.
    }
  } catch (error) {
    record.error = error instanceof Error ? error.name : "fetch failed";
  }
  record.ms = state.deps.now() - t;
  return record;
}

function noteSecrets(state: RunState): void {
  const vars = state.target.workerVars();
  for (const name of ["KEY_ENCRYPTION_SECRET", "KEY_ENCRYPTION_SECRET_PREV"]) if (vars[name]) state.secrets.add(vars[name]!);
}

/**
 * The scenario runner's target: the Node fakes and the Worker on workerd (src/stack/stack.ts), on the
 * real clock. Every answer is recorded under its label for the assertions; a network failure
 * talking to the Worker is recorded too (and fails the scenario's checks), never a stuck run.
 */
export function createStackTarget(state: RunState): Target {
  const { target: lab, deps } = state;
  return {
    async sendAll(requests) {
      const records = await Promise.all(requests.map((request) => sendOne(state, request)));
      const label = requests[0]?.label;
      if (label !== undefined) state.responses[label] = [...(state.responses[label] ?? []), ...records];
      return records.map((record): Answer => ({ status: record.status ?? 0, setCookies: record.setCookies }));
    },
    async wait(ms) {
      await deps.sleep(ms);
      return true;
    },
    async restartWorker(vars) {
      await lab.restartWorker(vars);
      noteSecrets(state);
    },
    async rotateSecret() {
      const previous = lab.workerVars().KEY_ENCRYPTION_SECRET ?? "";
      await lab.restartWorker({ KEY_ENCRYPTION_SECRET: deps.randomSecret(), KEY_ENCRYPTION_SECRET_PREV: previous });
      noteSecrets(state);
    },
    async setFaults(rule) {
      const added = lab.control.addFaults(rule);
      if (!added.ok) throw new Error(`setFaults: ${added.error}`);
    },
    async clearFaults() {
      lab.control.resetFaults();
    },
    async setKvOutage(on) {
      await lab.setKvOutage(on);
    },
  };
}

export { noteSecrets };
