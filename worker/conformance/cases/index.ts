import type { ConformanceCase } from "../types";
import { AI_ACTIONS } from "./ai-actions";
import { ATTACKS_AUTH } from "./attacks-auth";
import { ATTACKS_PROVIDER } from "./attacks-provider";
import { BASICS, UNKNOWN_EXCEPTIONS } from "./basics";
import { COMPAT_AUTH } from "./compat-auth";
import { COMPAT_PROVIDER } from "./compat-provider";
import { DEVICE_SESSION } from "./device-session";
import { METRICS } from "./metrics";
import { RETRY_AFTER } from "./retry-after";
import { STATE_CHANGE } from "./state-change";
import { V2 } from "./v2";

/** The one conformance table both runners execute (worker/unit and worker/test conformance.test.ts). */
export const CASES: readonly ConformanceCase[] = [...BASICS, ...METRICS, ...DEVICE_SESSION, ...AI_ACTIONS, ...STATE_CHANGE, ...RETRY_AFTER, ...V2, ...COMPAT_AUTH, ...ATTACKS_AUTH, ...COMPAT_PROVIDER, ...ATTACKS_PROVIDER, ...UNKNOWN_EXCEPTIONS];
