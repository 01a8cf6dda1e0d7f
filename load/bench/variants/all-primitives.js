// The three primitives together (request id, header allow-list, attempt timer) and nothing else:
// the floor for any Worker that meets SPEC §3.5, before breaker, budget, config and metrics.
const FORWARDED = ["authorization", "x-device-id", "content-type", "accept", "cache-control", "idempotency-key"];
const TIMED_OUT = Symbol("timed out");
export default {
  async fetch(request, env) {
    const requestId = crypto.randomUUID();
    const url = new URL(request.url);
    const forwarded = new Headers();
    for (const name of FORWARDED) {
      const value = request.headers.get(name);
      if (value !== null) forwarded.set(name, value);
    }
    forwarded.set("x-request-id", requestId);
    const abort = new AbortController();
    let timer;
    const elapsed = new Promise((resolve) => { timer = setTimeout(() => resolve(TIMED_OUT), 7000); });
    let upstream;
    try {
      upstream = await Promise.race([fetch(env.BACKEND_ORIGIN + url.pathname + url.search, { method: request.method, headers: forwarded, body: request.body, redirect: "manual", signal: abort.signal }), elapsed]);
    } finally {
      clearTimeout(timer);
    }
    if (upstream === TIMED_OUT) {
      abort.abort();
      return new Response("timeout", { status: 503 });
    }
    const headers = new Headers(upstream.headers);
    headers.set("x-request-id", requestId);
    return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers });
  },
};
