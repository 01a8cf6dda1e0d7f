/** The explorer's encryption secrets: deterministic per seed and generation, so a replay sees the same ones. */
export const secretFor = (seed: number, generation: number): string => `explorer-secret-${seed}-${generation}-q7Zk2Lp9`;
