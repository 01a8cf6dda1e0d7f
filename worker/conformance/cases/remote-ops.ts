import { PUBLIC } from "../fakes";
import { matching } from "../matchers";
import type { ConformanceCase } from "../types";
import { METRICS_SHAPE } from "./metrics";
import { failure } from "./steps";

const AREA = "remote operations (METRICS_TOKEN, ADMIN_TOKEN)";
const METRICS_TOKEN = "conformance-metrics-token-6c1e9a4f2b7d3580";
const ADMIN_TOKEN = "conformance-admin-token-2f8b5d1a9c4e7063";
const TOKENS = { METRICS_TOKEN, ADMIN_TOKEN };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Remote metrics and the re-seal sweep answer only to their bearer token; everyone else gets an unknown route's 404. */
export const REMOTE_OPS: ConformanceCase[] = [
  {
    name: "metrics on a public host answer a caller presenting METRICS_TOKEN",
    spec: AREA,
    env: TOKENS,
    request: { url: `${PUBLIC}/api/v1/metrics`, headers: bearer(METRICS_TOKEN) },
    expect: { status: 200, json: METRICS_SHAPE },
  },
  {
    name: "metrics on a public host with a wrong METRICS_TOKEN are hidden: 404",
    spec: AREA,
    env: TOKENS,
    request: { url: `${PUBLIC}/api/v1/metrics`, headers: bearer(`${METRICS_TOKEN.slice(0, -1)}X`) },
    expect: failure(404, { code: "NOT_FOUND" }),
  },
  {
    name: "the ADMIN_TOKEN does not open metrics: 404",
    spec: AREA,
    env: TOKENS,
    request: { url: `${PUBLIC}/api/v1/metrics`, headers: bearer(ADMIN_TOKEN) },
    expect: failure(404, { code: "NOT_FOUND" }),
  },
  {
    name: "the re-seal sweep without a token is an unknown route: 404",
    spec: AREA,
    request: { url: `${PUBLIC}/api/v1/admin/reseal`, json: { dryRun: true } },
    expect: failure(404, { code: "NOT_FOUND" }),
  },
  {
    name: "the re-seal sweep with ADMIN_TOKEN counts one page",
    spec: AREA,
    env: TOKENS,
    request: { url: `${PUBLIC}/api/v1/admin/reseal`, json: { dryRun: true, limit: 10 }, headers: bearer(ADMIN_TOKEN) },
    expect: {
      status: 200,
      json: matching("a dry-run sweep page that wrote nothing", (value) => {
        const page = value as Record<string, unknown>;
        return page.dryRun === true && page.resealed === 0 && page.oldKey === 0 && typeof page.scanned === "number" && typeof page.cursor === "string";
      }),
    },
  },
];
