import { hashKey } from "../fakes/ai-answers";
import type { ClientExchange } from "../trace/trace";
import { firstOnly } from "./types";

/**
 * A session created before a rotation still works after it and no record is lost: while its secret
 * is active or still PREV, every status check says connected and no AI call says AUTH_EXPIRED.
 * A successful read under PREV re-seals it with the active secret (docs/api.md#key-storage-and-rotation).
 */
export const sessionsSurviveRotation = firstOnly("sessions-survive-rotation", "a session sealed with the active or the PREV secret stays connected; a read under PREV re-seals it", (trace) => {
  const sealedWith = new Map<string, number>();
  // A key the provider itself refused (401/403: revoked) ends its session by the provider's verdict.
  // Matched by the key's hash, which the fakes record in both runtimes.
  const refusedKeys = new Set(trace.attempts.filter((attempt) => attempt.server !== "backend" && (attempt.status === 401 || attempt.status === 403) && attempt.keyHash).map((attempt) => attempt.keyHash));
  const keyOfJar = new Map<string, string>();
  const byStep = new Map<number, ClientExchange[]>();
  for (const exchange of trace.exchanges) byStep.set(exchange.step, [...(byStep.get(exchange.step) ?? []), exchange]);
  for (const step of trace.steps) {
    const scheduleStep = trace.schedule.steps[step.index];
    for (const exchange of byStep.get(step.index) ?? []) {
      if (scheduleStep?.do === "connect") {
        if (exchange.status === 200) {
          sealedWith.set(scheduleStep.as, step.activeSecret);
          keyOfJar.set(scheduleStep.as, hashKey(scheduleStep.key));
        }
        continue;
      }
      const jar = exchange.jar;
      if (!jar || step.kvDown) continue;
      if (refusedKeys.has(keyOfJar.get(jar))) continue;
      const sealed = sealedWith.get(jar);
      if (sealed === undefined) continue;
      const readable = sealed === step.activeSecret || sealed === step.prevSecret;
      const isStatus = exchange.path === "/api/v1/auth/status";
      const worked = isStatus ? exchange.status === 200 && exchange.connected === true : exchange.status === 200;
      const lost = isStatus ? exchange.status === 200 && exchange.connected === false : exchange.envelope?.code === "AUTH_EXPIRED" || exchange.envelope?.code === "AUTH_REQUIRED";
      if (readable && lost) {
        return `session "${jar}" sealed with secret #${sealed} was lost at ${exchange.requestId} while secret #${step.activeSecret} is active and ${step.prevSecret === null ? "no PREV is set" : `#${step.prevSecret} is PREV`}`;
      }
      if (worked) sealedWith.set(jar, step.activeSecret);
      else if (lost) sealedWith.delete(jar);
    }
  }
  return null;
});
