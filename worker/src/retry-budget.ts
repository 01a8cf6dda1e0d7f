/**
 * Retry budget (per isolate): retries may be at most `ratio` of the requests seen in the last
 * `windowMs`, with a floor of `minRetries` per window so a quiet isolate can still retry. Without it a
 * dead upstream would see (retries + 1)× the client traffic exactly when it can least afford it;
 * with ratio 0.2 it sees at most 1.2×. Counts live in fixed buckets so memory stays constant under
 * any request rate. Pure: the state is plain data, time is a parameter.
 */
export interface RetryBudgetOptions {
  ratio: number;
  minRetries: number;
  windowMs: number;
  buckets: number;
}

export interface RetryBudgetState {
  /** Start time of each bucket's slot (aligned to windowMs / buckets), or -1 when unused. */
  slots: number[];
  requests: number[];
  retries: number[];
}

export const DEFAULT_RETRY_BUDGET: RetryBudgetOptions = { ratio: 0.2, minRetries: 3, windowMs: 10_000, buckets: 10 };

export function createRetryBudget(options: RetryBudgetOptions = DEFAULT_RETRY_BUDGET): RetryBudgetState {
  return {
    slots: new Array<number>(options.buckets).fill(-1),
    requests: new Array<number>(options.buckets).fill(0),
    retries: new Array<number>(options.buckets).fill(0),
  };
}

function bucketFor(state: RetryBudgetState, now: number, options: RetryBudgetOptions): number {
  const width = options.windowMs / options.buckets;
  const slot = Math.floor(now / width) * width;
  const index = Math.floor(now / width) % options.buckets;
  if (state.slots[index] !== slot) {
    state.slots[index] = slot;
    state.requests[index] = 0;
    state.retries[index] = 0;
  }
  return index;
}

function totals(state: RetryBudgetState, now: number, options: RetryBudgetOptions): { requests: number; retries: number } {
  let requests = 0;
  let retries = 0;
  for (let index = 0; index < options.buckets; index += 1) {
    const slot = state.slots[index]!;
    if (slot >= 0 && slot > now - options.windowMs) {
      requests += state.requests[index]!;
      retries += state.retries[index]!;
    }
  }
  return { requests, retries };
}

/** Records one client request entering the attempt loop. Mutates and returns `state`. */
export function recordRequest(state: RetryBudgetState, now: number, options: RetryBudgetOptions = DEFAULT_RETRY_BUDGET): RetryBudgetState {
  const index = bucketFor(state, now, options);
  state.requests[index]! += 1;
  return state;
}

/** The retries the window allows right now. */
export function retryAllowance(requests: number, options: RetryBudgetOptions = DEFAULT_RETRY_BUDGET): number {
  return Math.max(options.minRetries, Math.floor(requests * options.ratio));
}

/** Takes one retry from the budget when there is one left; false means "do not retry". */
export function tryWithdrawRetry(state: RetryBudgetState, now: number, options: RetryBudgetOptions = DEFAULT_RETRY_BUDGET): boolean {
  const { requests, retries } = totals(state, now, options);
  if (retries >= retryAllowance(requests, options)) return false;
  const index = bucketFor(state, now, options);
  state.retries[index]! += 1;
  return true;
}
