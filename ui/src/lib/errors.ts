import type { ErrorCode } from "../bindings";
import { CommandError } from "./ipc";

/**
 * A user-facing sentence for a failed command, chosen by its error code.
 *
 * Provider and network errors already carry a specific sentence from the core ("OpenAI
 * rejected the API key", "Ollama cannot be reached at http://…"), so for those the core's
 * message is the sentence and the generic text is only a fallback. Database errors get a
 * plain sentence of their own; their message (paths, SQLite wording) is a detail.
 */
type Sentence = { text: string; preferMessage: boolean };

const SENTENCES: Record<ErrorCode, Sentence> = {
  db_open: { text: "The database could not be opened.", preferMessage: false },
  db: { text: "The database reported an error.", preferMessage: false },
  db_too_new: {
    text: "This database was written by a newer version of Curator; update Curator to open it.",
    preferMessage: false,
  },
  db_foreign: { text: "This file is a database of another application.", preferMessage: false },
  needs_upgrade: { text: "This database comes from the earlier reader and needs an upgrade.", preferMessage: false },
  db_locked: { text: "Another program is writing to the database; try again in a moment.", preferMessage: false },
  db_read_only: { text: "The database file or its folder cannot be written.", preferMessage: false },
  disk_full: { text: "The disk is full; nothing was saved.", preferMessage: false },
  db_corrupt: { text: "The database file is damaged.", preferMessage: false },
  invalid_config: { text: "These settings are not valid.", preferMessage: true },
  invalid_route: { text: "This task route is not valid.", preferMessage: true },
  unknown_provider: { text: "This provider is not supported in this version of Curator.", preferMessage: true },
  provider_not_found: { text: "This provider is not set up.", preferMessage: true },
  auth_failed: { text: "The provider rejected the API key.", preferMessage: true },
  not_found: { text: "The provider answered “not found”; check the base URL.", preferMessage: true },
  rate_limited: { text: "The provider is rate limiting requests; try again later.", preferMessage: true },
  overloaded: { text: "The provider is overloaded; try again later.", preferMessage: true },
  server_error: { text: "The provider had a server error.", preferMessage: true },
  timeout: { text: "The provider did not answer in time.", preferMessage: true },
  unreachable: { text: "The provider could not be reached.", preferMessage: true },
  bad_response: { text: "The provider sent an answer Curator could not read.", preferMessage: true },
  model_not_found: { text: "The model was not found.", preferMessage: true },
  key_unreadable: { text: "The stored API key could not be read; enter it again.", preferMessage: true },
  secret_store: { text: "The keychain could not be used.", preferMessage: true },
  io: { text: "A file could not be read or written.", preferMessage: true },
  internal: { text: "Something went wrong inside Curator.", preferMessage: true },
};

/** First letter upper case and a final full stop, so a core message reads as a sentence. */
function asSentence(message: string): string {
  const m = message.trim();
  if (!m) return m;
  const first = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

export function errorSentence(err: unknown): string {
  if (err instanceof CommandError) {
    const s = SENTENCES[err.code] as Sentence | undefined;
    if (!s) return asSentence(err.message) || "Something went wrong inside Curator.";
    return s.preferMessage && err.message.trim() ? asSentence(err.message) : s.text;
  }
  if (err instanceof Error && err.message) return asSentence(err.message);
  if (typeof err === "string" && err.trim()) return asSentence(err);
  return "Something went wrong inside Curator.";
}

/** The core's own wording, when it adds something to `errorSentence` (shown as a detail). */
export function errorDetail(err: unknown): string | null {
  if (!(err instanceof CommandError)) return null;
  const sentence = errorSentence(err);
  const detail = asSentence(err.message);
  return detail && detail !== sentence ? detail : null;
}
