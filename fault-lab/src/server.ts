// Temporary re-export for importers outside the lab core (moved to adapters/node-http.ts); the lead removes it at merge.
export { LOOPBACK_HOST, startFakeServer, type FakeServer } from "./adapters/node-http";
export type { FakeService } from "./fakes/service";
