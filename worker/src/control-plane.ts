// PLACEHOLDER — owned by the resilience helper; replaced with the real implementation.
/**
 * Durable Object holding rate limits and provider breakers for all isolates. Deliberately a plain
 * class with `fetch` (no `cloudflare:workers` import) so the module graph loads in plain Node.
 */
export class ControlPlaneDO {
  constructor(
    readonly state: unknown,
    readonly env: unknown,
  ) {}

  async fetch(_request: Request): Promise<Response> {
    return new Response("not implemented", { status: 501 });
  }
}
