/* Test helpers: a fresh QueryClient per render, and mockIPC driven by a table of commands. */
import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { mockIPC } from "@tauri-apps/api/mocks";

export type Call = { cmd: string; args: Record<string, unknown> };
export type Handler = (args: Record<string, unknown>) => unknown;

/**
 * Answer commands from `handlers` (throw `{code, message}` for a coded error); the
 * plugin store is an in-memory map seeded with `prefs`. Returns every call made.
 */
export function mockCommands(handlers: Record<string, Handler>, prefs: Record<string, unknown> = {}) {
  const calls: Call[] = [];
  const store = new Map(Object.entries(prefs));
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    if (cmd.startsWith("plugin:store|")) {
      const op = cmd.slice("plugin:store|".length);
      if (op === "load") return 1;
      if (op === "get") {
        const key = String(args.key);
        return [store.get(key) ?? null, store.has(key)];
      }
      if (op === "set") store.set(String(args.key), args.value);
      return null;
    }
    const h = handlers[cmd];
    if (!h) throw new Error(`unexpected command ${cmd}`);
    return h(args);
  });
  return { calls, store, called: (cmd: string) => calls.filter((c) => c.cmd === cmd) };
}

export function renderWithClient(ui: ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return { client, ...render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>) };
}

/** A promise that never settles: a query stays loading. */
export const never = () => new Promise<never>(() => {});

export const KINDS = [
  { provider: "ollama", display_name: "Ollama", default_base_url: "http://localhost:11434", needs_key: false },
  { provider: "openai", display_name: "OpenAI", default_base_url: "https://api.openai.com/v1", needs_key: true },
  { provider: "anthropic", display_name: "Anthropic", default_base_url: "https://api.anthropic.com", needs_key: true },
  { provider: "google", display_name: "Google Gemini", default_base_url: "https://generativelanguage.googleapis.com", needs_key: true },
  { provider: "openrouter", display_name: "OpenRouter", default_base_url: "https://openrouter.ai/api/v1", needs_key: true },
];

const GiB = 1024 ** 3;

export function model(provider: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    id: `${provider}:${name}`,
    provider,
    name,
    display_name: null,
    context_length: null,
    size: null,
    parameter_size: null,
    quantization_level: null,
    is_loaded: null,
    ...extra,
  };
}

export const MODELS = {
  models: [
    model("ollama", "gemma3:12b", { size: 7.6 * GiB, is_loaded: true }),
    model("ollama", "qwen3:8b", { size: 4.9 * GiB, is_loaded: false }),
    model("openai", "gpt-4.1-mini", { context_length: 1_047_576 }),
  ],
  providers: [
    { provider: "ollama", status: "ok", count: 2, age_s: 0, error: null },
    { provider: "openai", status: "ok", count: 1, age_s: 0, error: null },
  ],
};

export function provider(id: string, enabled = true, config: unknown = {}) {
  const name = KINDS.find((k) => k.provider === id)?.display_name ?? id;
  return { provider: id, display_name: name, enabled, config, has_key: id !== "ollama", key_last4: null, key_store: null };
}

export const READY = {
  categorization: { ready: true, provider: "ollama", model: "gemma3:12b", reason: null, message: null, fix: null },
  scoring: { ready: true, provider: "ollama", model: "gemma3:12b", reason: null, message: null, fix: null },
};

export function routes(cat: [string, string | null], scoring: [string, string | null] = cat, separate = false) {
  return {
    routes: [
      { task: "categorization", provider: cat[0], model: cat[1], batch_size: null },
      { task: "scoring", provider: scoring[0], model: scoring[1], batch_size: null },
    ],
    use_separate_models: separate,
  };
}
