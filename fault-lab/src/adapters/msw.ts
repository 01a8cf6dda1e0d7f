import { http, HttpResponse, type HttpHandler } from "msw";
import type { Clock } from "../clock/clock";
import type { AttemptHooks, LabControl, ServerName } from "../control/lab-control";
import { serveLab } from "../control/serve-lab";
import { LAB_SERVICES } from "../fakes/services";

export interface LabHandlerOptions {
  control: LabControl;
  /** The test's clock: every fault wait and stream pace runs on it. */
  clock: Clock;
  /** Which fakes to serve, at which origin (nothing listens there; msw answers). */
  origins: Partial<Record<ServerName, string>>;
  hooks?: AttemptHooks;
}

/**
 * msw request handlers over the lab core: every request to a configured origin goes through the
 * fault table and the lab's fake for that service, exactly as the Node fake servers serve it. A
 * reset is msw's network error (the fetch rejects with a TypeError).
 */
export function labHandlers({ control, clock, origins, hooks }: LabHandlerOptions): HttpHandler[] {
  return (Object.entries(origins) as [ServerName, string][]).map(([name, origin]) =>
    http.all(`${origin}/*`, async ({ request }) => {
      const answer = await serveLab(control, LAB_SERVICES[name], request, { clock, signal: request.signal, ...(hooks ? { hooks } : {}) });
      return answer === "reset" ? HttpResponse.error() : answer;
    }),
  );
}
