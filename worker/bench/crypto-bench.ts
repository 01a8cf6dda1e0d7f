/**
 * Per-operation cost of the auth hot path: seal, open (v2), open (legacy), and a warm JWT verification
 * with a local JWKS (no network). Median / p90 / p99 of ≥ 2000 timed iterations after a warm-up.
 * Run: npm run bench:worker
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { resolveIdentity } from "../src/auth";
import { parseConfig } from "../src/config";
import { createContext } from "../src/context";
import { open, seal } from "../src/crypto";
import { realDeps, type Deps } from "../src/deps";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5000);
const WARMUP = 500;
const SECRET = "bench-secret-7a1c9e3f5b2d8046-long-enough";
const AAD = "session:6b0f7d2a-4c1e-4f8b-9a3d-2e5c7f9b1d40";
const API_KEY = "AIzaSyBench-key-0123456789abcdefghijk";

async function measure(name: string, op: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < WARMUP; i += 1) await op();
  const samples = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i += 1) {
    const start = performance.now();
    await op();
    samples[i] = performance.now() - start;
  }
  samples.sort();
  const at = (q: number) => (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]! * 1000).toFixed(1);
  console.log(`${name.padEnd(34)} median ${at(0.5).padStart(7)} µs   p90 ${at(0.9).padStart(7)} µs   p99 ${at(0.99).padStart(7)} µs   (n=${ITERATIONS})`);
}

async function legacyRecord(): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(SECRET));
  const key = await crypto.subtle.importKey("raw", digest, { name: "AES-GCM" }, false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(API_KEY)));
  return JSON.stringify({ iv: Buffer.from(iv).toString("base64"), data: Buffer.from(data).toString("base64") });
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${ITERATIONS} iterations after ${WARMUP} warm-up`);
  const keyring = { active: SECRET, previous: null };
  const sealed = await seal(API_KEY, SECRET, AAD);
  const legacy = await legacyRecord();

  await measure("seal (v2, HKDF key cached)", () => seal(API_KEY, SECRET, AAD));
  await measure("open (v2)", () => open(sealed, keyring, AAD));
  await measure("open (legacy)", () => open(legacy, keyring, AAD));

  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "bench", alg: "RS256", use: "sig" };
  const issuer = "https://clerk.bench.test";
  const audience = "pocketbrain-web";
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: "bench" })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject("user_bench")
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(privateKey);
  const localJwks = createLocalJWKSet({ keys: [jwk] });
  await measure("jwtVerify (jose, local JWKS)", () => jwtVerify(token, localJwks, { algorithms: ["RS256"], issuer, audience, clockTolerance: 30 }));

  const jwksUrl = `${issuer}/.well-known/jwks.json`;
  const inProcessFetch: Deps["fetch"] = async () => Response.json({ keys: [jwk] });
  const deps: Deps = { ...realDeps, fetch: inProcessFetch };
  const env = { NODE_ENV: "test", KEY_ENCRYPTION_SECRET: SECRET, CLERK_JWKS_URL: jwksUrl, CLERK_ISSUER: issuer, CLERK_AUDIENCE: audience };
  const config = parseConfig(env);
  const request = new Request("https://pocketbrain.app/api/v1/auth/status", { headers: { authorization: `Bearer ${token}` } });
  await measure("resolveIdentity (warm remote JWKS)", async () => {
    const identity = await resolveIdentity(createContext(request, env, config, deps, "bench-request-01"));
    if (identity.kind !== "user") throw new Error("bench token was not verified");
  });
}

await main();
