// Trivial passthrough + the header allow-list: a fresh Headers with only the forwarded names.
const FORWARDED = ["authorization", "x-device-id", "content-type", "accept", "cache-control", "idempotency-key"];
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const headers = new Headers();
    for (const name of FORWARDED) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    headers.set("x-request-id", "bench-request-id");
    return fetch(env.BACKEND_ORIGIN + url.pathname + url.search, { method: request.method, headers, body: request.body, redirect: "manual" });
  },
};
