import type { ExplorerStep } from "./steps/schedule";
import type { ClientExchange } from "./trace/trace";
import type { LabControl, ServerName } from "./control/lab-control";

/**
 * Who the explorer's hostile client is (issue 15): one attacker beside the honest clients u1/u2,
 * shared by the targets (its IPs, its RNG stream), the in-process fakes (its fault-free upstream
 * answers) and the invariants (whose answers are honest). Its requests use jars named `mallory…`:
 * `mallory` holds the attacker's own session (connected with a key the provider refuses for that
 * key alone), `mallory-raw` never holds a cookie, so its self-made Cookie headers go out as written.
 * What it sends: src/explorer/arbitraries-hostile.ts; its twin run: src/explorer/hostile.ts.
 */
export const HOSTILE_JAR = "mallory";
export const HOSTILE_RAW_JAR = "mallory-raw";
/** The attacker's address (the edge's CF-Connecting-IP) for its attacks… */
export const HOSTILE_IP = "203.0.113.66";
/** …and for the connect of its own account, so its attacks never spend that connect's IP bucket. */
export const HOSTILE_ACCOUNT_IP = "203.0.113.67";
/**
 * How long the attacker's own upstream answers take, virtual ms: longer than any client budget it
 * can ask for (the Worker floors X-Timeout-Ms at 1 s), shorter than the Worker's own timeouts.
 */
export const HOSTILE_UPSTREAM_LATENCY_MS = 3_000;

export const isHostileJar = (jar: string | null | undefined): boolean => typeof jar === "string" && jar.startsWith(HOSTILE_JAR);

export const isHostileExchange = (exchange: ClientExchange): boolean => isHostileJar(exchange.jar) || exchange.label === `connect-${HOSTILE_JAR}`;

/** Does this hostile step call a provider (connect validates the key; AI actions call it)? */
export const callsProvider = (step: ExplorerStep): boolean =>
  (step.do === "connect" && step.as === HOSTILE_JAR) || (step.do === "request" && isHostileJar(step.as) && (step.path === "/api/v1/auth/connect" || step.path.startsWith("/api/v1/ai/")));

const PROVIDERS: readonly ServerName[] = ["gemini", "openrouter"];

/**
 * True while a provider fault could still fire. The attacker's attempts bypass the fault table (so
 * they never consume its `times` or RNG draws, which would change what honest clients see); during
 * a provider fault that would make the provider look healthy to the attacker alone, so the target
 * skips the attacker's provider-calling steps then (in both runs of the twin, identically).
 */
export function providerFaultActive(control: LabControl): boolean {
  return control.listFaults().some((rule) => (rule.server === undefined || PROVIDERS.includes(rule.server)) && rule.faults.some((fault) => fault.remaining !== 0));
}
