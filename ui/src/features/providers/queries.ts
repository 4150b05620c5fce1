/**
 * The Providers section's queries and mutations. Keys come from `lib/queryKeys.ts`; each
 * mutation invalidates what `invalidates.*` says its command changes.
 */
import { queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { commands, type ApiError, type ProviderItem } from "../../bindings";
import { call } from "../../lib/ipc";
import { invalidates, keys } from "../../lib/queryKeys";
import { PROVIDER_IDS, type ProviderConfig, type ProviderId } from "./config";
import { providerEndpoint, removeKeyCommand } from "./endpoint";

/** Health is polled every 20 s while the window is visible (ui.md §6.2). */
export const HEALTH_INTERVAL_MS = 20_000;

/**
 * Invalidate after a change. A health check already under way is left to finish (never
 * two requests in flight per provider); every other query refetches, since a fetch that
 * started before the change may carry data from before it.
 */
export function invalidateKeys(qc: QueryClient, list: readonly (readonly unknown[])[]) {
  return Promise.all(
    list.map((queryKey) =>
      qc.invalidateQueries({ queryKey }, { cancelRefetch: queryKey[0] !== keys.healthAll[0] }),
    ),
  );
}

export { catalogQuery, modelsQuery, providerKindsQuery, providersQuery, routesQuery } from "../../lib/queries";

/** One provider's health, the same shape for Ollama and the key-based providers. */
export type Health = {
  ok: boolean;
  latency_ms: number | null;
  version: string | null;
  error: ApiError | null;
};

async function fetchHealth(provider: string): Promise<Health> {
  if (provider === "ollama") {
    const h = await call(commands.ollamaHealth());
    return { ok: h.connected, latency_ms: h.latency_ms, version: h.version, error: null };
  }
  const t = await call(commands.testProvider(provider));
  return { ok: t.ok, latency_ms: t.latency_ms, version: t.version, error: t.error };
}

export const healthQuery = (provider: string, enabled: boolean) =>
  queryOptions({
    queryKey: keys.health(provider),
    queryFn: () => fetchHealth(provider),
    enabled,
    staleTime: 10_000,
    refetchInterval: HEALTH_INTERVAL_MS,
    // Paused while the window is hidden or minimized (document.visibilityState).
    refetchIntervalInBackground: false,
    retry: false,
  });

/** The last health outcome per provider, so readiness is re-read only when it changes. */
const lastOutcome = new Map<string, string>();

const outcomeOf = (h: Health) => (h.ok ? "ok" : `down:${h.error?.code ?? ""}`);

/**
 * A provider's live health (one request in flight at most: one query per provider). When
 * the outcome changes (up ↔ down, or another failure), readiness is re-read, so a task
 * turns unreachable within one poll and ready again when the provider answers.
 */
export function useProviderHealth(provider: string, enabled: boolean) {
  const qc = useQueryClient();
  const q = useQuery(healthQuery(provider, enabled));
  const outcome = q.data ? outcomeOf(q.data) : q.isError ? "error" : null;
  useEffect(() => {
    if (outcome === null) return;
    const before = lastOutcome.get(provider);
    lastOutcome.set(provider, outcome);
    if (before !== undefined && before !== outcome) void invalidateKeys(qc, [keys.readiness]);
  }, [outcome, provider, qc]);
  return q;
}

/** Forget remembered outcomes; for tests. */
export function resetHealthMemory() {
  lastOutcome.clear();
}

export const ollamaModelsQuery = (enabled: boolean) =>
  queryOptions({
    queryKey: keys.ollamaModels,
    queryFn: () => call(commands.ollamaListModels()),
    enabled,
    retry: false,
  });

export const ollamaPullsQuery = (pollMs: number | false) =>
  queryOptions({
    queryKey: keys.ollamaPulls,
    queryFn: () => call(commands.ollamaPulls()),
    refetchInterval: pollMs,
    staleTime: 0,
    retry: false,
  });

// ── Mutations ───────────────────────────────────────────────────────────────────

/** Put a saved provider into the cached list at once (registry order), before the refetch. */
function upsertProvider(qc: QueryClient, item: ProviderItem) {
  qc.setQueryData<ProviderItem[]>(keys.providers, (old) => {
    if (!old) return old;
    const rest = old.filter((p) => p.provider !== item.provider);
    const rank = (p: string) => {
      const i = PROVIDER_IDS.indexOf(p as ProviderId);
      return i < 0 ? PROVIDER_IDS.length : i;
    };
    return [...rest, item].sort((a, b) => rank(a.provider) - rank(b.provider));
  });
}

export type SaveInput = { provider: ProviderId; config: ProviderConfig; apiKey: string | null };

export function useSaveProvider() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ provider, config, apiKey }: SaveInput) =>
      call(commands.updateProviderConfig(provider, config, apiKey)),
    onSuccess: (item, { provider }) => {
      upsertProvider(qc, item);
      return invalidateKeys(qc, invalidates.updateProviderConfig(provider));
    },
  });
}

export function useSetEnabled() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ provider, enabled }: { provider: string; enabled: boolean }) =>
      call(commands.setProviderEnabled(provider, enabled)),
    onSuccess: (item) => upsertProvider(qc, item),
    onSettled: (_r, _e, { provider }) => invalidateKeys(qc, invalidates.setProviderEnabled(provider)),
  });
}

export function useDeleteProvider() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (provider: string) => call(commands.deleteProvider(provider)),
    onSuccess: (_r, provider) =>
      qc.setQueryData<ProviderItem[]>(keys.providers, (old) => old?.filter((p) => p.provider !== provider)),
    onSettled: (_r, _e, provider) => invalidateKeys(qc, invalidates.deleteProvider(provider)),
  });
}

/** Test the values in the form (nothing is stored; a null key means the stored one). */
export function useTestConnection() {
  return useMutation({
    mutationFn: ({ provider, config, apiKey }: SaveInput) =>
      call(commands.testProviderKey(provider, config, apiKey)),
  });
}

export function useDeleteOllamaModel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (model: string) => call(commands.ollamaDeleteModel(model)),
    onSettled: () => invalidateKeys(qc, invalidates.ollamaDelete()),
  });
}

/** The exact URLs a base URL leads to, by the core's one rule (pure: cached for good). */
export const endpointQuery = (provider: ProviderId, baseUrl: string | null) =>
  queryOptions({
    queryKey: keys.endpoint(provider, baseUrl),
    queryFn: () => call(providerEndpoint(provider, baseUrl)),
    staleTime: Infinity,
    retry: false,
  });

/** Remove only the stored key (config and routes stay). */
export function useRemoveKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (provider: string) => {
      const cmd = removeKeyCommand();
      if (!cmd) throw new Error("Removing a key is not possible here; disconnect the provider instead.");
      return call(cmd(provider));
    },
    onSuccess: (item) => upsertProvider(qc, item),
    onSettled: (_r, _e, provider) => invalidateKeys(qc, invalidates.updateProviderConfig(provider)),
  });
}

/** Where API keys are kept (keychain or the file beside the database); fixed per run. */
export const keyStoreQuery = () =>
  queryOptions({
    queryKey: keys.keyStore,
    queryFn: () => call(commands.keyStore()),
    staleTime: Infinity,
    retry: false,
  });
