import { http, HttpResponse, type HttpHandler } from "msw";
import type { Clock } from "../clock/clock";
import { createLabControl, type AttemptHooks, type FaultRule, type LabControl, type ServerName } from "../control/lab-control";
import { serveLab } from "../control/serve-lab";
import { LAB_SERVICES } from "../fakes/services";

export interface LabHandlerOptions {
  control: LabControl;
  /** The test's clock: every fault wait and stream pace runs on it. */
  clock: Clock;
  /** Which fakes to serve, at which origin (nothing listens there; msw answers). */
  origins: Partial<Record<ServerName, string>>;
  hooks?: AttemptHooks;
  /** Sees every request as it arrives, before any fault (tests read what the event log never keeps: header values, bodies). */
  onRequest?(server: ServerName, request: Request): void | Promise<void>;
}

/**
 * msw request handlers over the lab core: every request to a configured origin goes through the
 * fault table and the lab's fake for that service, exactly as the Node fake servers serve it. A
 * reset is msw's network error (the fetch rejects with a TypeError).
 */
export function labHandlers({ control, clock, origins, hooks, onRequest }: LabHandlerOptions): HttpHandler[] {
  return (Object.entries(origins) as [ServerName, string][]).map(([name, origin]) =>
    http.all(`${origin}/*`, async (info) => {
      // msw's StrictRequest only narrows json()'s type; a standard Request keeps one type under Node's and workerd's typings.
      const request: Request = info.request as Request;
      await onRequest?.(name, request);
      const answer = await serveLab(control, LAB_SERVICES[name], request, { clock, signal: request.signal, ...(hooks ? { hooks } : {}) });
      return answer === "reset" ? HttpResponse.error() : answer;
    }),
  );
}

/** One request as a lab fake received it, values included (for a test's assertions, never logged). */
export interface SeenLabRequest {
  server: ServerName;
  method: string;
  url: string;
  headers: Headers;
  body: Uint8Array;
}

/** The slice of msw's setupServer a lab network needs (the test file owns listen/close). */
export interface MswServer {
  use(...handlers: HttpHandler[]): void;
}

/** The request body's bytes; a body the client broke off counts as empty (the fake then sees the same error). */
async function bodyOf(request: Request): Promise<Uint8Array> {
  try {
    return new Uint8Array(await request.clone().arrayBuffer());
  } catch {
    return new Uint8Array();
  }
}

export interface LabNetwork {
  control: LabControl;
  /** Every request the fakes received, in order. */
  readonly seen: SeenLabRequest[];
  /** The requests one fake received. */
  seenBy(server: ServerName): SeenLabRequest[];
  /** Adds fault rules in order; a rule the lab refuses throws with the lab's message (a test's script is code: a typo must not pass silently). */
  addRules(...rules: FaultRule[]): void;
}

/**
 * The lab's fakes and fault table installed on a test's msw server: what a test scripts is a fault
 * rule (`network.control.addFaults(...)`), what it reads is what the fakes received.
 */
export function installLabNetwork(
  server: MswServer,
  options: { clock: Clock; origins: Partial<Record<ServerName, string>>; seed?: number; hooks?: AttemptHooks; onRequest?: LabHandlerOptions["onRequest"] },
): LabNetwork {
  const control = createLabControl(options.seed ?? 1, () => options.clock.now());
  const seen: SeenLabRequest[] = [];
  server.use(
    ...labHandlers({
      control,
      clock: options.clock,
      origins: options.origins,
      ...(options.hooks ? { hooks: options.hooks } : {}),
      async onRequest(name, request) {
        // Copied entry by entry: a Headers built from msw's request headers object comes out empty.
        seen.push({ server: name, method: request.method, url: request.url, headers: new Headers([...request.headers]), body: await bodyOf(request) });
        await options.onRequest?.(name, request);
      },
    }),
  );
  return {
    control,
    seen,
    seenBy: (name) => seen.filter((one) => one.server === name),
    addRules(...rules) {
      for (const rule of rules) {
        const added = control.addFaults(rule);
        if (!added.ok) throw new Error(`the lab refused a fault rule: ${added.error}`);
      }
    },
  };
}
