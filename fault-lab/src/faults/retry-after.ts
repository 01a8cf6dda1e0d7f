import { err } from "../result";
import { answerWithStatus, parseStatusParams, type StatusParams } from "./status";
import { defineFault } from "./types";

/** Shorthand for a throttling answer: 503 (or {status}) with Retry-After in seconds or as an HTTP-date. */
export const retryAfter = defineFault<StatusParams>({
  kind: "retry-after",
  description: "answer {status:503} with Retry-After {seconds} or {dateOffset} (HTTP-date, seconds from now)",
  parse(spec) {
    const mapped = { ...spec, retryAfter: spec.seconds, retryAfterDate: spec.dateOffset };
    const parsed = parseStatusParams(mapped, 503);
    if (parsed.ok && parsed.value.retryAfter === undefined && parsed.value.retryAfterDate === undefined) {
      return err("retry-after needs {seconds} or {dateOffset}");
    }
    return parsed;
  },
  async apply(params, ctx) {
    return answerWithStatus(params, ctx);
  },
});
