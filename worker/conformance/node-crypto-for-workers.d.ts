// The one node:crypto call the lab's fakes make (fault-lab/src/fakes/ai-answers.ts hashKey), typed for
// the workers program, which has no @types/node; workerd runs it through nodejs_compat.
declare module "node:crypto" {
  export function createHash(algorithm: "sha256"): { update(data: string): { digest(encoding: "hex"): string } };
}
