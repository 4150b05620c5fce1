import { commands, type ApiError, type ProviderItem } from "../../bindings";

export type { ProviderEndpoint } from "../../bindings";

/** The core's one base-URL rule, for the live preview under "Base URL". */
export const providerEndpoint = commands.providerEndpoint;

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: ApiError };
type RemoveKey = (provider: string) => Promise<Result<ProviderItem>>;

/**
 * Removing only a provider's key needs a command of its own (`delete_provider_key`);
 * the "Remove" action is offered once the generated bindings have it.
 */
export const removeKeyCommand = (): RemoveKey | undefined =>
  (commands as unknown as Record<string, RemoveKey | undefined>).deleteProviderKey;
