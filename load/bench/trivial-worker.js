// The runtime floor: the smallest Worker that passes a request through to the backend.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.BACKEND_ORIGIN + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
  },
};
