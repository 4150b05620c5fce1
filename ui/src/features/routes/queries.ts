import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { Channel } from "@tauri-apps/api/core";
import { commands, type RescoreProgress, type Task, type TaskRoutesInput } from "../../bindings";
import { call } from "../../lib/ipc";
import { invalidates, keys } from "../../lib/queryKeys";
// One invalidation rule for the window: a health check in flight is left to finish.
import { invalidateKeys } from "../providers/queries";

export function useSaveRoutes() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TaskRoutesInput) => call(commands.updateTaskRoutes(input)),
    onSuccess: (saved) => {
      qc.setQueryData(keys.routes, saved);
      return invalidateKeys(qc, invalidates.updateTaskRoutes());
    },
  });
}

export function useEnableProvider() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (provider: string) => call(commands.setProviderEnabled(provider, true)),
    onSuccess: (_r, provider) => invalidateKeys(qc, invalidates.setProviderEnabled(provider)),
  });
}

/** Test the saved provider, then re-check readiness at once (not at the next poll). */
export function useTestProvider() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (provider: string) => call(commands.testProvider(provider)),
    // Readiness refetches at once; a health check already in flight is not doubled.
    onSettled: (_r, _e, provider) => invalidateKeys(qc, invalidates.testProvider(provider)),
  });
}

export type ExposeResult = "exposed" | "already" | "not_in_catalog";

/**
 * Add `model` to a key-based provider's exposed models. An empty selection already
 * exposes the whole catalog, so a model missing then is not in the catalog at all:
 * writing a one-model selection would hide every other model, so nothing is written.
 */
export function useExposeModel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ provider, model }: { provider: string; model: string }): Promise<ExposeResult> => {
      const item = await call(commands.getProviderConfig(provider));
      const config = (item.config ?? {}) as Record<string, unknown>;
      const selected = Array.isArray(config.selected_models) ? (config.selected_models as string[]) : [];
      if (selected.length === 0) return "not_in_catalog";
      if (selected.includes(model)) return "already";
      await call(
        commands.updateProviderConfig(provider, { ...config, selected_models: [...selected, model] }, null),
      );
      return "exposed";
    },
    onSuccess: (_r, { provider }) => invalidateKeys(qc, invalidates.updateProviderConfig(provider)),
  });
}

/** How often the queue counts are re-read while the window is visible. */
export const QUEUE_INTERVAL_MS = 5_000;

/** Counts per task (queued, running, done, failed); polled every 5 s while visible. */
export const queueStatusQuery = () =>
  queryOptions({
    queryKey: keys.queue,
    queryFn: () => call(commands.queueStatus()),
    refetchInterval: QUEUE_INTERVAL_MS,
    refetchIntervalInBackground: false,
  });

/** The newest failure of each task, with its reason; polled with the counts. */
export const queueFailuresQuery = () =>
  queryOptions({
    queryKey: keys.queueFailures,
    queryFn: () => call(commands.queueLastFailures()),
    refetchInterval: QUEUE_INTERVAL_MS,
    refetchIntervalInBackground: false,
  });

/**
 * Re-queue the recent unread articles and follow them to the end; each progress line
 * goes to `onProgress`. Counts and failures are re-read however it ends.
 */
export function useRescore(onProgress: (p: RescoreProgress) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => {
      const channel = new Channel<RescoreProgress>();
      channel.onmessage = onProgress;
      return call(commands.rescore(null, channel));
    },
    onSettled: () => invalidateKeys(qc, invalidates.rescore()),
  });
}

export function useCancelRescore() {
  return useMutation({ mutationFn: () => call(commands.cancelRescore()) });
}

/** Run one task through its saved route on the newest article; nothing is stored. */
export function useTestRoute(task: Task) {
  return useMutation({ mutationFn: () => call(commands.testRoute(task, null)) });
}
