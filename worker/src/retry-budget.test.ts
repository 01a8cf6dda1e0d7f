import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRetryBudget, recordRequest, retryAllowance, tryWithdrawRetry, type RetryBudgetOptions } from "./retry-budget";

const options: RetryBudgetOptions = { ratio: 0.2, minRetries: 3, windowMs: 10_000, buckets: 10 };

describe("retry budget", () => {
  it("allows the floor of 3 retries in a quiet window", () => {
    const budget = recordRequest(createRetryBudget(options), 0, options);
    const granted = [0, 1, 2, 3].map(() => tryWithdrawRetry(budget, 10, options));
    expect(granted).toEqual([true, true, true, false]);
  });

  it("allows 20 % of recent requests when that is more than the floor", () => {
    const budget = createRetryBudget(options);
    for (let index = 0; index < 100; index += 1) recordRequest(budget, index * 10, options);
    let granted = 0;
    while (tryWithdrawRetry(budget, 1_000, options)) granted += 1;
    expect(granted).toBe(20);
  });

  it("refills once the spent retries leave the window", () => {
    const budget = recordRequest(createRetryBudget(options), 0, options);
    while (tryWithdrawRetry(budget, 0, options));
    expect(tryWithdrawRetry(budget, 9_999, options)).toBe(false);
    expect(tryWithdrawRetry(budget, 10_000, options)).toBe(true);
  });

  it("bounds retries by max(3, 20 % of requests) within any window-long burst", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.integer({ min: 0, max: 999 }), retry: fc.boolean() }), { maxLength: 300 }), (events) => {
        const budget = createRetryBudget(options);
        let requests = 0;
        let retries = 0;
        for (const event of [...events].sort((a, b) => a.at - b.at)) {
          if (event.retry) retries += tryWithdrawRetry(budget, event.at, options) ? 1 : 0;
          else {
            recordRequest(budget, event.at, options);
            requests += 1;
          }
          expect(retries).toBeLessThanOrEqual(retryAllowance(requests, options));
        }
      }),
      { numRuns: 300 },
    );
  });
});
