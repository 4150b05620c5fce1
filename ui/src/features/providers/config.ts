import type { StructuredMode } from "../../bindings";
/**
 * Provider configs as the core stores them (`config` of a provider item), narrowed
 * from `unknown` with type guards until the bindings carry the union themselves.
 */

export type ProviderId = "ollama" | "openai" | "anthropic" | "google" | "openrouter";
export type KeyedProviderId = Exclude<ProviderId, "ollama">;

export const PROVIDER_IDS: readonly ProviderId[] = ["ollama", "openai", "anthropic", "google", "openrouter"];

export const isProviderId = (v: unknown): v is ProviderId => PROVIDER_IDS.includes(v as ProviderId);

export type OllamaConfig = {
  base_url: string;
  port: number;
  categorization_model: string | null;
  scoring_model: string | null;
  use_separate_models: boolean;
  thinking: boolean;
  batch_size: number;
  timeout_s: number;
  /** How this connection asks for JSON; `auto` detects it and keeps what worked. */
  structured_output?: StructuredMode;
  /** What automatic detection found (the core forgets it when the config is saved). */
  structured_output_detected?: StructuredMode | null;
};

export type KeyedConfig = {
  base_url: string | null;
  selected_models: string[];
  batch_size: number;
  timeout_s: number;
  /** How this connection asks for JSON; `auto` detects it and keeps what worked. */
  structured_output?: StructuredMode;
  /** What automatic detection found (the core forgets it when the config is saved). */
  structured_output_detected?: StructuredMode | null;
};

export type ProviderConfig = OllamaConfig | KeyedConfig;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isOptString = (v: unknown): v is string | null => v === null || typeof v === "string";

export function isOllamaConfig(v: unknown): v is OllamaConfig {
  return (
    isObject(v) &&
    typeof v.base_url === "string" &&
    isInt(v.port) &&
    isOptString(v.categorization_model) &&
    isOptString(v.scoring_model) &&
    typeof v.use_separate_models === "boolean" &&
    typeof v.thinking === "boolean" &&
    isInt(v.batch_size) &&
    isInt(v.timeout_s)
  );
}

export function isKeyedConfig(v: unknown): v is KeyedConfig {
  return (
    isObject(v) &&
    isOptString(v.base_url) &&
    Array.isArray(v.selected_models) &&
    v.selected_models.every((m) => typeof m === "string") &&
    isInt(v.batch_size) &&
    isInt(v.timeout_s)
  );
}

/** The core's default request timeout, in seconds, for every provider. */
export const DEFAULT_TIMEOUT_S = 15;

export const DEFAULT_OLLAMA: OllamaConfig = {
  base_url: "http://localhost",
  port: 11434,
  categorization_model: null,
  scoring_model: null,
  use_separate_models: false,
  thinking: false,
  batch_size: 1,
  timeout_s: DEFAULT_TIMEOUT_S,
};

export const DEFAULT_KEYED: KeyedConfig = {
  base_url: null,
  selected_models: [],
  batch_size: 5,
  timeout_s: DEFAULT_TIMEOUT_S,
};

/** A stored config narrowed to the Ollama shape (defaults when it does not fit). */
export function ollamaConfigOf(v: unknown): OllamaConfig {
  return isOllamaConfig(v) ? v : { ...DEFAULT_OLLAMA, ...(isObject(v) ? pickOllama(v) : {}) };
}

/** A stored config narrowed to the key-based shape (defaults when it does not fit). */
export function keyedConfigOf(v: unknown): KeyedConfig {
  if (isKeyedConfig(v)) return v;
  if (!isObject(v)) return DEFAULT_KEYED;
  return {
    base_url: typeof v.base_url === "string" ? v.base_url : null,
    selected_models: Array.isArray(v.selected_models)
      ? v.selected_models.filter((m): m is string => typeof m === "string")
      : [],
    batch_size: isInt(v.batch_size) ? v.batch_size : DEFAULT_KEYED.batch_size,
    timeout_s: isInt(v.timeout_s) ? v.timeout_s : DEFAULT_KEYED.timeout_s,
    structured_output: isStructuredMode(v.structured_output) ? v.structured_output : "auto",
    structured_output_detected: isStructuredMode(v.structured_output_detected) ? v.structured_output_detected : null,
  };
}

export const STRUCTURED_MODES: { mode: StructuredMode; label: string }[] = [
  { mode: "auto", label: "Automatic" },
  { mode: "json_schema", label: "JSON schema" },
  { mode: "json_object", label: "JSON object with schema" },
  { mode: "prompt", label: "Prompt only" },
];

export function isStructuredMode(v: unknown): v is StructuredMode {
  return STRUCTURED_MODES.some((m) => m.mode === v);
}

export const structuredLabel = (m: StructuredMode): string =>
  STRUCTURED_MODES.find((x) => x.mode === m)?.label ?? m;

function pickOllama(v: Record<string, unknown>): Partial<OllamaConfig> {
  const out: Partial<OllamaConfig> = {};
  if (typeof v.base_url === "string") out.base_url = v.base_url;
  if (isInt(v.port)) out.port = v.port;
  if (isOptString(v.categorization_model)) out.categorization_model = v.categorization_model;
  if (isOptString(v.scoring_model)) out.scoring_model = v.scoring_model;
  if (typeof v.use_separate_models === "boolean") out.use_separate_models = v.use_separate_models;
  if (isInt(v.batch_size)) out.batch_size = v.batch_size;
  if (isInt(v.timeout_s)) out.timeout_s = v.timeout_s;
  if (isStructuredMode(v.structured_output)) out.structured_output = v.structured_output;
  if (isStructuredMode(v.structured_output_detected)) out.structured_output_detected = v.structured_output_detected;
  return out;
}

/** What the window shows for each provider, in registry order. */
export type ProviderMeta = {
  id: ProviderId;
  label: string;
  hint: string;
  needsKey: boolean;
  defaultBaseUrl: string;
};

export const PROVIDERS: Record<ProviderId, ProviderMeta> = {
  ollama: {
    id: "ollama",
    label: "Ollama",
    hint: "Local — no API key",
    needsKey: false,
    defaultBaseUrl: "http://localhost:11434",
  },
  openai: {
    id: "openai",
    label: "OpenAI",
    hint: "Requires API key",
    needsKey: true,
    defaultBaseUrl: "https://api.openai.com/v1",
  },
  anthropic: {
    id: "anthropic",
    label: "Anthropic",
    hint: "Requires API key",
    needsKey: true,
    defaultBaseUrl: "https://api.anthropic.com",
  },
  google: {
    id: "google",
    label: "Google Gemini",
    hint: "Requires API key",
    needsKey: true,
    defaultBaseUrl: "https://generativelanguage.googleapis.com/v1beta",
  },
  openrouter: {
    id: "openrouter",
    label: "OpenRouter",
    hint: "Requires API key",
    needsKey: true,
    defaultBaseUrl: "https://openrouter.ai/api/v1",
  },
};

export const labelOf = (provider: string): string =>
  isProviderId(provider) ? PROVIDERS[provider].label : provider;

/** The curated Ollama models offered for download (providers.md §5). */
export const SUGGESTED_OLLAMA_MODELS = [
  { name: "qwen3:1.7b", size: "~1.0 GB", description: "Smallest, fast on CPU" },
  { name: "qwen3:4b", size: "~2.5 GB", description: "Good balance, best small structured output" },
  { name: "phi4-mini", size: "~2.5 GB", description: "Microsoft, strong reasoning" },
  { name: "qwen3:8b", size: "~4.9 GB", description: "Strong accuracy" },
  { name: "gemma3:12b", size: "~8.1 GB", description: "Google, highest accuracy tier" },
] as const;

/** Ollama's implicit `:latest` (the core's rule): `phi4-mini` is `phi4-mini:latest`. */
export function normalizeOllamaModel(name: string): string {
  const n = name.trim();
  const last = n.split("/").pop() ?? n;
  return last.includes(":") ? n : `${n}:latest`;
}
