import type { Rng } from "../rng";

/**
 * The modelled network between isolates and the Durable Objects: each isolate sits in a region
 * with a round-trip time to the objects' location, and each object serves one request at a time
 * (a FIFO queue with a fixed service time), as a single-threaded Durable Object does.
 */

export interface Region {
  name: string;
  /** Share of the fleet's isolates in this region (weights, need not sum to 1). */
  weight: number;
  /** Round-trip time to the objects, drawn uniformly per isolate in [min, max] ms. */
  rttMs: { min: number; max: number };
}

/** Where Cloudflare isolates sit relative to one object: a few near it, most a continent or an ocean away. */
export const DEFAULT_REGIONS: readonly Region[] = [
  { name: "same-colo", weight: 0.1, rttMs: { min: 1, max: 4 } },
  { name: "same-continent", weight: 0.4, rttMs: { min: 15, max: 60 } },
  { name: "other-continent", weight: 0.5, rttMs: { min: 90, max: 250 } },
];

export interface IsolatePlacement {
  region: string;
  rttMs: number;
}

/** Seeded placement of `count` isolates over the regions. */
export function placeIsolates(count: number, rng: Rng, regions: readonly Region[] = DEFAULT_REGIONS): IsolatePlacement[] {
  const total = regions.reduce((sum, region) => sum + region.weight, 0);
  if (regions.length === 0 || !(total > 0)) throw new Error("placeIsolates: at least one region with a positive weight is needed");
  return Array.from({ length: count }, () => {
    let pick = rng.next() * total;
    const region = regions.find((candidate) => (pick -= candidate.weight) < 0) ?? regions[regions.length - 1]!;
    return { region: region.name, rttMs: region.rttMs.min + rng.next() * (region.rttMs.max - region.rttMs.min) };
  });
}

export interface Admission {
  /** When the object starts serving this request (≥ arrival). */
  startMs: number;
  /** When it has served it. */
  doneMs: number;
  /** Requests in the object (waiting or in service) when this one arrived. */
  queueLength: number;
}

/** One single-threaded object: requests are served in arrival order, one at a time. */
export interface ObjectQueue {
  admit(arrivalMs: number): Admission;
  readonly serviceMs: number;
}

/** Arrivals must be admitted in time order (the virtual clock guarantees it). */
export function createObjectQueue(serviceMs: number): ObjectQueue {
  if (!(serviceMs >= 0)) throw new Error("createObjectQueue: serviceMs must be ≥ 0");
  let freeAt = Number.NEGATIVE_INFINITY;
  let lastArrival = Number.NEGATIVE_INFINITY;
  return {
    serviceMs,
    admit(arrivalMs) {
      if (arrivalMs < lastArrival) throw new Error(`createObjectQueue: arrival ${arrivalMs} before the previous one (${lastArrival})`);
      lastArrival = arrivalMs;
      const startMs = Math.max(arrivalMs, freeAt);
      const queueLength = serviceMs > 0 && freeAt > arrivalMs ? Math.ceil((freeAt - arrivalMs) / serviceMs - 1e-9) : 0;
      freeAt = startMs + serviceMs;
      return { startMs, doneMs: freeAt, queueLength };
    },
  };
}
