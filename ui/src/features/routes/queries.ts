import { useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { Channel } from "@tauri-apps/api/core";
import { commands, type PullProgress, type TaskRoutesInput } from "../../bindings";
import { call } from "../../lib/ipc";
import { invalidates, keys } from "../../lib/queryKeys";

type Key = readonly unknown[];

function invalidateAll(qc: QueryClient, list: Key[]) {
  return Promise.all(list.map((queryKey) => qc.invalidateQueries({ queryKey })));
}

export function useSaveRoutes() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: TaskRoutesInput) => call(commands.updateTaskRoutes(input)),
    onSuccess: (saved) => {
      qc.setQueryData(keys.routes, saved);
      return invalidateAll(qc, invalidates.updateTaskRoutes());
    },
  });
}

export function useEnableProvider() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (provider: string) => call(commands.setProviderEnabled(provider, true)),
    onSuccess: (_r, provider) => invalidateAll(qc, invalidates.setProviderEnabled(provider)),
  });
}

/** Test the saved provider, then re-check readiness at once (not at the next poll). */
export function useTestProvider() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (provider: string) => call(commands.testProvider(provider)),
    onSettled: (_r, _e, provider) =>
      Promise.all([
        invalidateAll(qc, invalidates.testProvider(provider)),
        qc.refetchQueries({ queryKey: keys.readiness }),
      ]),
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
    onSuccess: (_r, { provider }) => invalidateAll(qc, invalidates.updateProviderConfig(provider)),
  });
}

export type PullState = { percent: number | null; status: string; speed: number | null };

/** Pull an Ollama model with progress; `ollama_cancel_pull` stops it. */
export function usePullModel(onProgress: (p: PullState) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (model: string) => {
      const channel = new Channel<PullProgress>();
      let last: { t: number; done: number } | null = null;
      channel.onmessage = (p) => {
        const total = p.total ?? 0;
        const done = p.completed ?? 0;
        const now = performance.now();
        let speed: number | null = null;
        if (last && now > last.t && done >= last.done) speed = ((done - last.done) * 1000) / (now - last.t);
        if (done) last = { t: now, done };
        onProgress({
          percent: total > 0 ? Math.round((done / total) * 100) : null,
          status: p.status,
          speed,
        });
      };
      return call(commands.ollamaPullModel(model, channel));
    },
    onSettled: () => invalidateAll(qc, invalidates.ollamaPull()),
  });
}

export function useCancelPull() {
  return useMutation({ mutationFn: (model: string) => call(commands.ollamaCancelPull(model)) });
}
