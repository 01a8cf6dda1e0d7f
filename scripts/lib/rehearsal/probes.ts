import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";
import { http, HttpResponse, type HttpHandler } from "msw";
import type { ShippedConfig } from "../shipped-config";
import { sendOverSocket } from "./http-target";
import type { LocalUpstreams } from "./upstreams";

/** One check that a shipped setting took effect in the served Worker. */
export interface ProbeResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ClerkFake {
  handler: HttpHandler;
  sign(claims: { sub: string }): Promise<string>;
}

/** A JWKS at `jwksUrl` with one RS256 key, and tokens signed for the shipped issuer and audience. */
export async function clerkFake(jwksUrl: string, issuer: string, audience: string): Promise<ClerkFake> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "rehearsal", alg: "RS256", use: "sig" };
  return {
    handler: http.get(jwksUrl, () => HttpResponse.json({ keys: [jwk] })),
    sign: ({ sub }) =>
      new SignJWT({}).setProtectedHeader({ alg: "RS256", kid: "rehearsal" }).setSubject(sub).setIssuer(issuer).setAudience(audience).setIssuedAt().setExpirationTime("5m").sign(privateKey),
  };
}

/** The public origin the Worker is served on in production (its first route's host), for the probes' URLs. */
export function publicOrigin(shipped: ShippedConfig): string {
  const host = shipped.routes[0]?.split("/")[0]?.replace(/^\*\.?/, "") || "pb.example.org";
  return `https://${host}`;
}

/**
 * Requests that fail unless a shipped setting reached the Worker: VPS_API_ORIGIN (the backend is
 * called), the Clerk tuple (a token signed for the shipped issuer/audience is an account), the
 * production rules (NODE_ENV: dev routes 404; insecure dev auth refused even from loopback),
 * METRICS_TOKEN (remote metrics open with it, 404 without).
 */
export async function runProbes(workerUrl: string, shipped: ShippedConfig, upstreams: LocalUpstreams, clerk: ClerkFake, metricsToken: string): Promise<ProbeResult[]> {
  const origin = publicOrigin(shipped);
  const send = (path: string, headers: Record<string, string> = {}, base = origin) => sendOverSocket(workerUrl, new Request(`${base}${path}`, { headers }));
  const results: ProbeResult[] = [];
  const probe = async (name: string, check: () => Promise<[boolean, string]>) => {
    try {
      const [ok, detail] = await check();
      results.push({ name, ok, detail });
    } catch (error) {
      results.push({ name, ok: false, detail: (error as Error).message });
    }
  };

  await probe("VPS_API_ORIGIN reaches the Worker (GET /api/v2/health is passed to the backend)", async () => {
    const seen: string[] = [];
    upstreams.use(http.get(`${upstreams.backend.handlerOrigin}/api/v2/health`, ({ request }) => (seen.push(request.url), HttpResponse.json({ ok: true }))));
    const response = await send("/api/v2/health");
    upstreams.resetHandlers();
    return [response.status === 200 && seen.length === 1, `status ${response.status}, backend calls ${seen.length}`];
  });

  await probe("CLERK_JWKS_URL, CLERK_ISSUER, CLERK_AUDIENCE reach the Worker (a signed token is an account)", async () => {
    const token = await clerk.sign({ sub: "user_rehearsal" });
    const response = await send("/api/v1/auth/status", { authorization: `Bearer ${token}` });
    const body = (await response.json()) as { scope?: string };
    return [response.status === 200 && body.scope === "account", `status ${response.status}, scope ${body.scope}`];
  });

  await probe("production rules: an unsigned token from a loopback host is not accepted (no insecure dev auth)", async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"intruder"}').toString("base64url")}.`;
    const response = await send("/api/v1/auth/status", { authorization: `Bearer ${unsigned}` }, "http://127.0.0.1");
    const body = (await response.json()) as { scope?: string };
    return [body.scope !== "account", `status ${response.status}, scope ${body.scope ?? "none"}`];
  });

  await probe("production rules: /__dev/ is not served", async () => {
    const response = await send("/__dev/", {}, "http://127.0.0.1");
    return [response.status === 404, `status ${response.status}`];
  });

  await probe("METRICS_TOKEN opens remote metrics; without it they are 404", async () => {
    const open = await send("/api/v1/metrics", { authorization: `Bearer ${metricsToken}` });
    const closed = await send("/api/v1/metrics");
    return [open.status === 200 && closed.status === 404, `with token ${open.status}, without ${closed.status}`];
  });
  return results;
}
