import { invoke } from "@tauri-apps/api/core";
import type { ApiError } from "../../bindings";
import type { ProviderId } from "./config";

/** Where a provider's requests go, and the exact URL that listing its models requests. */
export type ProviderEndpoint = { base_url: string; models_url: string };

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: ApiError };

/**
 * `commands.providerEndpoint(provider, baseUrl)` — the core's one base-URL rule, used for
 * the live preview under "Base URL". Kept as a wrapper so that switching to the generated
 * binding is a one-line change:
 *   export const providerEndpoint = commands.providerEndpoint;
 */
export async function providerEndpoint(provider: ProviderId, baseUrl: string | null): Promise<Result<ProviderEndpoint>> {
  try {
    return { status: "ok", data: await invoke<ProviderEndpoint>("provider_endpoint", { provider, baseUrl }) };
  } catch (e) {
    if (e instanceof Error) throw e;
    return { status: "error", error: e as ApiError };
  }
}
