/** TEMPORARY (issue 16 merge): re-exports the moved module for files other helpers own; delete at merge and point importers at the new path. */
export { HOSTILE_ACCOUNT_IP, HOSTILE_IP, HOSTILE_UPSTREAM_LATENCY_MS, callsProvider, isHostileJar, providerFaultActive } from "../src/hostile-client";
