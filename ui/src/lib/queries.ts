import { queryOptions } from "@tanstack/react-query";
import { commands, type Task } from "../bindings";
import { call } from "./ipc";
import { keys } from "./queryKeys";

/**
 * Queries read by more than one section. Keys come from `queryKeys.ts`; every section
 * that reads the same data uses these options, so the cache holds one copy.
 */

/** The five providers Curator knows (display names, defaults); static for a build. */
export const providerKindsQuery = () =>
  queryOptions({
    queryKey: keys.providerKinds,
    queryFn: () => commands.providerKinds(),
    staleTime: Infinity,
  });

/** Configured providers (never a key). */
export const providersQuery = () =>
  queryOptions({
    queryKey: keys.providers,
    queryFn: () => call(commands.listProviders()),
  });

/** Enabled providers' exposed models with each provider's list status (cached by the core). */
export const modelsQuery = () =>
  queryOptions({
    queryKey: keys.models,
    queryFn: () => call(commands.listModels(false)),
  });

/** A provider's full catalog, the exposed models marked (`selected`); fetched, not cached by the core. */
export const catalogQuery = (provider: string, enabled: boolean) =>
  queryOptions({
    queryKey: keys.catalog(provider),
    queryFn: () => call(commands.listProviderCatalog(provider)),
    enabled,
    retry: false,
    staleTime: 60_000,
  });

export const routesQuery = () =>
  queryOptions({
    queryKey: keys.routes,
    queryFn: () => call(commands.getTaskRoutes()),
  });

/** How often readiness is re-checked while the window is visible. */
export const READINESS_INTERVAL_MS = 20_000;

/**
 * Readiness of both tasks. Re-checked every 20 s while the window is visible (TanStack
 * pauses intervals while the document is hidden), and after every health change.
 */
export const readinessQuery = () =>
  queryOptions({
    queryKey: keys.readiness,
    queryFn: () => call(commands.taskReadiness()),
    refetchInterval: READINESS_INTERVAL_MS,
    refetchIntervalInBackground: false,
    staleTime: 10_000,
  });

/**
 * Readiness of one task: asks only the providers its route and fallback use, so a
 * provider that does not answer holds back only its own task's line. Keyed under
 * `keys.readiness`, so everything that invalidates readiness reaches it.
 */
export const taskReadinessQuery = (task: Task) =>
  queryOptions({
    queryKey: [...keys.readiness, task] as const,
    queryFn: () => call(commands.taskReadinessOf(task)),
    refetchInterval: READINESS_INTERVAL_MS,
    refetchIntervalInBackground: false,
    staleTime: 10_000,
  });

/** Display name of a provider id, from the facts table once loaded. */
export function providerName(kinds: { provider: string; display_name: string }[] | undefined, id: string): string {
  return kinds?.find((k) => k.provider === id)?.display_name ?? FALLBACK_NAMES[id] ?? id;
}

const FALLBACK_NAMES: Record<string, string> = {
  ollama: "Ollama",
  openai: "OpenAI",
  anthropic: "Anthropic",
  google: "Google Gemini",
  openrouter: "OpenRouter",
};
