/** Wording, formatting and field validation for the Providers section. */
import type { ApiError, ErrorCode } from "../../bindings";
import { CommandError } from "../../lib/ipc";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** Binary units labelled GB/MB, as the original did (`7.6 GB`, `834 MB`). */
export function formatSize(bytes: number | null | undefined): string | null {
  if (bytes == null || !Number.isFinite(bytes) || bytes <= 0) return null;
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GB`;
  return `${Math.max(1, Math.round(bytes / MIB))} MB`;
}

/** Bytes per second as `x.x MB/s` (≥ 1 MiB/s) or `x.x KB/s`. */
export function formatSpeed(bps: number | null): string | null {
  if (bps == null || !Number.isFinite(bps) || bps <= 0) return null;
  if (bps >= MIB) return `${(bps / MIB).toFixed(1)} MB/s`;
  return `${(bps / 1024).toFixed(1)} KB/s`;
}

/** `128k tokens`, `1M tokens`, `8,192 tokens`. */
export function formatContext(tokens: number | null | undefined): string | null {
  if (tokens == null || tokens <= 0) return null;
  if (tokens >= 1_000_000 && tokens % 1_000_000 === 0) return `${tokens / 1_000_000}M tokens`;
  if (tokens >= 1000 && tokens % 1000 === 0) return `${tokens / 1000}k tokens`;
  if (tokens >= 1000 && tokens % 1024 === 0) return `${tokens / 1024}k tokens`;
  return `${tokens.toLocaleString("en-US")} tokens`;
}

/** A price per million tokens in US dollars. */
export function formatPrice(usdPerMtok: number | null | undefined): string | null {
  if (usdPerMtok == null || !Number.isFinite(usdPerMtok) || usdPerMtok < 0) return null;
  if (usdPerMtok === 0) return "free";
  return `$${usdPerMtok < 0.1 ? usdPerMtok.toFixed(3) : usdPerMtok.toFixed(2)}`;
}

export const TASK_LABEL: Record<string, string> = { categorization: "Categorization", scoring: "Scoring" };
export const taskLabel = (task: string): string => TASK_LABEL[task] ?? task;

/** `Categorization`, `Categorization and Scoring`. */
export function joinTasks(tasks: readonly string[]): string {
  const names = [...new Set(tasks.map(taskLabel))];
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** First letter upper case and a final full stop. */
export function asSentence(message: string): string {
  const m = message.trim();
  if (!m) return m;
  const first = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

type Failure = { code: ErrorCode; message: string; details?: unknown };

function statusOf(details: unknown): number | null {
  if (typeof details === "object" && details !== null && "status" in details) {
    const s = (details as { status: unknown }).status;
    return typeof s === "number" ? s : null;
  }
  return null;
}

/**
 * One plain sentence for a failed connection test or health check, by error code. The
 * core's own message (which names the URL and the provider's words) is the detail.
 */
export function connectionSentence(e: Failure, providerLabel: string, endpoint?: string): string {
  const at = endpoint ? ` at ${endpoint}` : "";
  switch (e.code) {
    case "auth_failed":
      return statusOf(e.details) === 403
        ? `${providerLabel} refused access (forbidden): the key is valid but not allowed to do this.`
        : `${providerLabel} rejected the API key. Check that it is complete and still active.`;
    case "not_found":
      return `Nothing answered at this address (404). Check the base URL.`;
    case "unreachable":
      return providerLabel === "Ollama"
        ? `Could not reach Ollama${at}. Is it running?`
        : `Could not reach ${providerLabel}${at}. Check the address and your network connection.`;
    case "timeout":
      return `${providerLabel} did not answer in time. Try again, or raise the timeout.`;
    case "rate_limited":
      return `${providerLabel} is rate limiting requests. Wait a moment and try again.`;
    case "overloaded":
      return `${providerLabel} is overloaded right now. Try again later.`;
    case "server_error":
      return `${providerLabel} had a server error. Try again later.`;
    case "bad_response":
      return `The answer did not look like one from ${providerLabel}. Check the base URL.`;
    case "key_unreadable":
      return `The stored ${providerLabel} API key could not be read. Enter it again.`;
    case "secret_store":
      return `The keychain could not be used, so the API key could not be read.`;
    case "invalid_config":
      if (fieldOf(e.details) === "api_key" || /^api_key:/.test(e.message)) return `Enter the ${providerLabel} API key first.`;
      return asSentence(stripField(e.message));
    default:
      return asSentence(e.message) || `${providerLabel} could not be reached.`;
  }
}

/** Short status words for a card when the health check failed. */
export function healthWords(e: ApiError | Failure, providerLabel: string): string {
  switch (e.code) {
    case "auth_failed":
      return "Unreachable — the API key was rejected";
    case "invalid_config":
      return fieldOf((e as Failure).details) === "api_key" || /^api_key:/.test(e.message)
        ? "API key missing"
        : `Unreachable — ${stripField(e.message)}`;
    case "key_unreadable":
      return "API key unreadable — enter it again";
    case "secret_store":
      return "API key unreadable — the keychain could not be used";
    case "not_found":
      return "Unreachable — wrong base URL (404)";
    case "timeout":
      return "Unreachable — timed out";
    case "rate_limited":
      return "Rate limited — try again later";
    case "overloaded":
      return "Unreachable — overloaded";
    case "server_error":
      return "Unreachable — server error";
    case "bad_response":
      return `Unreachable — not a ${providerLabel} server`;
    default:
      return "Unreachable — could not connect";
  }
}

export function fieldOf(details: unknown): string | null {
  if (typeof details === "object" && details !== null && "field" in details) {
    const f = (details as { field: unknown }).field;
    return typeof f === "string" ? f : null;
  }
  return null;
}

/** `base_url: must use http or https` → `must use http or https`. */
export function stripField(message: string): string {
  return message.replace(/^[a-z_]+:\s*/, "");
}

/** The field an `invalid_config` error from Save names, and its sentence. */
export function fieldError(err: unknown): { field: string; message: string } | null {
  if (!(err instanceof CommandError) || err.code !== "invalid_config") return null;
  const field = fieldOf(err.details) ?? /^([a-z_]+):/.exec(err.message)?.[1] ?? null;
  if (!field) return null;
  return { field, message: asSentence(stripField(err.message)) };
}

// ── Field validation (the core's rules, checked while typing) ──────────────────

export function validateOllamaHost(raw: string): string | null {
  const v = raw.trim();
  if (!v) return "Enter the host, such as http://localhost.";
  if (!/^https?:\/\//i.test(v)) return "URL must start with http:// or https://";
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return "Enter a host such as http://localhost.";
  }
  if (!u.hostname) return "Enter a host such as http://localhost.";
  if (u.username || u.password) return "Remove the user name and password.";
  const tail = v.replace(/\/+$/, "").split("]").pop() ?? "";
  if (u.port || /:\d+$/.test(tail.replace(/^https?:\/\//i, ""))) return "Put the port in the Port field.";
  if (u.search || u.hash) return "Remove the query or fragment.";
  if (u.pathname && u.pathname !== "/") return "Only the scheme and host go here; remove the path.";
  return null;
}

export function validateKeyedBaseUrl(raw: string): string | null {
  const v = raw.trim();
  if (!v) return null;
  if (!/^https?:\/\//i.test(v)) return "URL must start with http:// or https://";
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return "Enter a URL such as https://api.example.com/v1.";
  }
  if (!u.hostname) return "Enter a URL such as https://api.example.com/v1.";
  if (u.username || u.password) return "Remove the user name and password.";
  if (u.search || u.hash) return "Remove the query or fragment.";
  return null;
}

function wholeNumber(raw: string): number | null {
  const v = raw.trim();
  return /^\d+$/.test(v) ? Number(v) : null;
}

export function validatePort(raw: string): string | null {
  const n = wholeNumber(raw);
  return n !== null && n >= 1 && n <= 65535 ? null : "Port must be a whole number from 1 to 65535.";
}

export function validateTimeout(raw: string): string | null {
  const n = wholeNumber(raw);
  return n !== null && n >= 1 && n <= 300 ? null : "Timeout must be a whole number of seconds from 1 to 300.";
}

export function validateBatch(raw: string): string | null {
  const n = wholeNumber(raw);
  return n !== null && n >= 1 && n <= 10 ? null : "Batch size must be a whole number from 1 to 10.";
}

export function validateApiKey(raw: string, required: boolean): string | null {
  const v = raw.trim();
  if (!v) return required ? "Enter the API key." : null;
  if (v.length > 4096) return "An API key has at most 4096 characters.";
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(v)) return "An API key has no spaces or line breaks.";
  return null;
}

/** Case- and accent-insensitive search key: NFD, combining marks removed, lower case. */
export function foldForSearch(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}
