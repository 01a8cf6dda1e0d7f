import { http, HttpResponse, type HttpHandler } from "msw";
import type { Clock } from "../../fault-lab/src/clock/clock";
import { createLabControl, type LabControl, type ServerName } from "../../fault-lab/src/control/lab-control";
import { serveLab } from "../../fault-lab/src/control/serve-lab";
import { LAB_SERVICES } from "../../fault-lab/src/fakes/services";

/** One request as a lab fake received it, header values included (for assertions, never logged). */
export interface SeenLabRequest {
  server: ServerName;
  method: string;
  url: string;
  headers: Headers;
}

export interface LabNetwork {
  control: LabControl;
  seenBy(server: ServerName): SeenLabRequest[];
}

/**
 * fault-lab/src/adapters/msw.ts's `installLabNetwork` (same control, serveLab and fakes), restated
 * because that file does not typecheck under the workers types the workerd runner compiles with:
 * there msw's request is no `Request` (its `json()` is narrower), and the file passes it uncast.
 */
export function installLabNetwork(
  server: { use(...handlers: HttpHandler[]): void },
  options: { clock: Clock; origins: Partial<Record<ServerName, string>>; onRequest?(server: ServerName): void },
): LabNetwork {
  const control = createLabControl(1, () => options.clock.now());
  const seen: SeenLabRequest[] = [];
  server.use(
    ...(Object.entries(options.origins) as [ServerName, string][]).map(([name, origin]) =>
      http.all(`${origin}/*`, async ({ request: mswRequest }) => {
        const request = mswRequest as unknown as Request;
        // Copied entry by entry: a Headers built from msw's request headers object comes out empty.
        seen.push({ server: name, method: request.method, url: request.url, headers: new Headers([...request.headers]) });
        options.onRequest?.(name);
        const answer = await serveLab(control, LAB_SERVICES[name], request, { clock: options.clock, signal: request.signal });
        return answer === "reset" ? HttpResponse.error() : answer;
      }),
    ),
  );
  return { control, seenBy: (name) => seen.filter((one) => one.server === name) };
}
