import type { ApiError } from "../bindings";

/** A failed command, carrying the `{code, message, details?}` that crossed IPC. */
export class CommandError extends Error {
  readonly code: ApiError["code"];
  readonly details: unknown;
  constructor(error: ApiError) {
    super(error.message);
    this.name = "CommandError";
    this.code = error.code;
    this.details = error.details;
  }
}

/** Unwrap a tauri-specta result for TanStack Query: data, or a thrown CommandError. */
export async function call<T>(
  result: Promise<{ status: "ok"; data: T } | { status: "error"; error: ApiError }>,
): Promise<T> {
  const r = await result;
  if (r.status === "error") throw new CommandError(r.error);
  return r.data;
}
