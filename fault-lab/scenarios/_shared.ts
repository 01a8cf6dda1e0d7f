/** Constants shared by scenarios (not a scenario: the loader skips files starting with "_"). */
export const GEMINI_ROUTE = "/v1beta/models/gemini-2.5-flash:generateContent";
export const OPENROUTER_ROUTE = "/api/v1/chat/completions";
/** Fake provider keys: shaped like real ones so a leak would be recognisable, valid only for the fakes. */
export const GEMINI_KEY = "AIzaSyLabFakeKey00000000000000000000001";
export const GEMINI_KEY_2 = "AIzaSyLabFakeKey00000000000000000000002";
export const OPENROUTER_KEY = "sk-or-v1-lab0000000000000000000000000000000000000000000000000000000001";
export const ANALYZE = { content: "Buy milk tomorrow and call the plumber about the kitchen sink." };
/** A key the fake provider accepts at connect and then refuses with 429 (that key's quota is spent). */
export const GEMINI_QUOTA_KEY = "AIzaSyLabFakeQuotaKey000000000000000001";
/** The attacker's own client address in attack scenarios (never the honest users' one). */
export const ATTACKER_IP = "203.0.113.66";
