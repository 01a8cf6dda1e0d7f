import { ok } from "../result";
import { faultResponse, optionalInt } from "./params";
import { defineFault } from "./types";

export interface MalformedJsonParams {
  status?: number;
}

/**
 * Answers `application/json` whose body is not JSON. With {status} it answers at once; without, the
 * fake builds its normal answer and breaks its body (so provider replies keep their real headers).
 */
export const malformedJson = defineFault<MalformedJsonParams>({
  kind: "malformed-json",
  description: "JSON content-type with a broken body; optional {status} answers immediately",
  parse(spec) {
    const status = optionalInt(spec, "status", 200, 599);
    return status.ok ? ok(status.value === undefined ? {} : { status: status.value }) : status;
  },
  async apply({ status }, ctx) {
    if (status === undefined) {
      ctx.shaping.malformedJson = true;
      return "continue";
    }
    return faultResponse(status, '{"truncated": [1, 2, ', { "content-type": "application/json; charset=utf-8" });
  },
});
