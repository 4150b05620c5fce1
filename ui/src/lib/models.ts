import { useQueries, useQuery, type UseQueryResult } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import type { CatalogModel, ModelItem, ProviderModelsStatus } from "../bindings";
import { CommandError } from "./ipc";
import { catalogQuery, modelsQuery, providersQuery } from "./queries";

/** How one provider's part of the list came about; "loading" while it has not answered. */
export type ProviderModelsView = Omit<ProviderModelsStatus, "status"> & {
  status: ProviderModelsStatus["status"] | "loading";
};

/** The offered models: `list_models`, or, while it waits, what each provider gave so far. */
export type ModelsView = { models: ModelItem[]; providers: ProviderModelsView[] };

/**
 * How long `list_models` may take before each provider is asked on its own. The core
 * answers `list_models` once every enabled provider has answered or timed out (each
 * under its own timeout, 15 s by default), so one hanging provider would hold back the
 * models of all the others; past this wait, each provider's catalog is shown as it
 * arrives. Healthy providers answer well within it, so then nothing is asked twice.
 */
export const MODELS_GRACE_MS = 250;

type Brief = NonNullable<ProviderModelsStatus["error"]>;

function briefOf(e: unknown): Brief {
  if (e instanceof CommandError) return { code: e.code, message: e.message } as Brief;
  return { code: "internal", message: e instanceof Error ? e.message : String(e) } as Brief;
}

/** A catalog entry as the aggregated list has it (the exposed ones only). */
function asItem(m: CatalogModel): ModelItem {
  return {
    id: m.id,
    provider: m.provider,
    name: m.name,
    display_name: m.display_name ?? null,
    context_length: m.context_length ?? null,
    size: m.size ?? null,
    parameter_size: m.parameter_size ?? null,
    quantization_level: m.quantization_level ?? null,
    is_loaded: m.is_loaded ?? null,
  } as ModelItem;
}

/**
 * Every enabled provider's exposed models, for the sections that offer or count them.
 * `list_models` is the answer (per-provider status, a stale list for a failing provider);
 * while it is outstanding past `MODELS_GRACE_MS`, each provider's catalog is asked on its
 * own and shown as soon as it arrives, the others marked "loading". A hanging provider
 * never delays the others' models.
 */
export function useModels() {
  const all = useQuery(modelsQuery());
  const providers = useQuery(providersQuery());
  const waiting = all.isPending;
  const [late, setLate] = useState(false);
  useEffect(() => {
    if (!waiting) return;
    const t = setTimeout(() => setLate(true), MODELS_GRACE_MS);
    return () => clearTimeout(t);
  }, [waiting]);

  const ask = waiting && late;
  const enabled = useMemo(
    () => (providers.data ?? []).filter((p) => p.enabled).map((p) => p.provider),
    [providers.data],
  );
  const early = useQueries({
    queries: enabled.map((p) => catalogQuery(p, ask)),
    combine: combineParts,
  });

  const partial = useMemo((): ModelsView | undefined => {
    if (!ask || !providers.data || !early.some((q) => q.data || q.error)) return undefined;
    const models: ModelItem[] = [];
    const statuses = enabled.map((provider, i): ProviderModelsView => {
      const q = early[i];
      const id = provider as ProviderModelsStatus["provider"];
      if (q?.data) {
        const items = q.data.filter((m) => m.selected).map(asItem);
        models.push(...items);
        return { provider: id, status: "ok", count: items.length, age_s: 0, error: null };
      }
      if (q?.error) return { provider: id, status: "error", count: 0, age_s: null, error: briefOf(q.error) };
      return { provider: id, status: "loading", count: 0, age_s: null, error: null };
    });
    return { models, providers: statuses };
  }, [ask, providers.data, enabled, early]);

  const data: ModelsView | undefined = all.data ?? partial;
  return {
    data,
    isPending: !data && !all.isError,
    isSuccess: !!data,
    isError: !data && all.isError,
    error: all.error,
    refetch: () => all.refetch(),
  };
}

/** Each provider's catalog query, reduced to what the partial list needs (kept stable). */
function combineParts(results: UseQueryResult<CatalogModel[]>[]) {
  return results.map((r) => ({ data: r.data, error: r.error }));
}

/** The providers whose models have not arrived yet. */
export const loadingProviders = (m: ModelsView | undefined): string[] =>
  (m?.providers ?? []).filter((p) => p.status === "loading").map((p) => p.provider);
