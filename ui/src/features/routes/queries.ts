import { useMutation, useQueryClient } from "@tanstack/react-query";
import { commands, type TaskRoutesInput } from "../../bindings";
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
