// Trivial passthrough + the per-attempt timeout: an AbortController on the subrequest and a timer
// raced against the response headers, cleared once they arrive.
const TIMED_OUT = Symbol("timed out");
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const abort = new AbortController();
    let timer;
    const elapsed = new Promise((resolve) => { timer = setTimeout(() => resolve(TIMED_OUT), 7000); });
    try {
      const winner = await Promise.race([fetch(env.BACKEND_ORIGIN + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body, signal: abort.signal }), elapsed]);
      if (winner === TIMED_OUT) {
        abort.abort();
        return new Response("timeout", { status: 503 });
      }
      return winner;
    } finally {
      clearTimeout(timer);
    }
  },
};
