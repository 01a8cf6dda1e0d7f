/**
 * OpenRouter's chat-completions wire format, written once: success and error bodies and how a
 * request carries its prompt. Pure (no Node imports), shared like gemini-wire.ts.
 */

const MESSAGES: Record<number, string> = {
  400: "Invalid request",
  401: "No auth credentials found",
  402: "Insufficient credits",
  404: "Not found",
  429: "Rate limit exceeded: too many requests",
  500: "Internal Server Error",
  502: "Provider returned error",
  503: "No available model provider that meets your routing requirements",
  504: "Upstream timed out",
};

/** OpenRouter's error envelope: {error:{code,message}}. */
export function openrouterError(status: number): Record<string, unknown> {
  return { error: { code: status, message: MESSAGES[status] ?? (status >= 500 ? MESSAGES[502] : MESSAGES[400]) } };
}

/** A successful completion carrying `text`. */
export function openrouterReply(text: string, meta: { id: string; model?: string }): Record<string, unknown> {
  return {
    id: meta.id,
    object: "chat.completion",
    created: 1_700_000_000,
    model: meta.model ?? "google/gemini-2.5-flash",
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
  };
}

type Content = string | { type?: string; text?: string }[];

/** The prompt text of a request body: every message's text, in order. */
export function readOpenrouterPrompt(body: unknown): string {
  const messages = (body as { messages?: { content?: Content }[] } | null)?.messages ?? [];
  return messages
    .map((message) => (typeof message.content === "string" ? message.content : (message.content ?? []).map((part) => part.text ?? "").join("\n")))
    .join("\n");
}
