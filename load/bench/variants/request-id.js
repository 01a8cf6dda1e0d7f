// Trivial passthrough + what the request id costs: a fresh UUID and re-wrapping the response to add it.
export default {
  async fetch(request, env) {
    const requestId = crypto.randomUUID();
    const url = new URL(request.url);
    const upstream = await fetch(env.BACKEND_ORIGIN + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body });
    const headers = new Headers(upstream.headers);
    headers.set("x-request-id", requestId);
    return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers });
  },
};
