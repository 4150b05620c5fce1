import type { ModelItem, ModelsResponse, ProviderItem, TaskRoute } from "../../bindings";
import { formatContext, formatSize } from "../../lib/format";

/** `provider:model`, the picker's value (provider ids never contain a colon). */
export const routeKey = (provider: string, model: string) => `${provider}:${model}`;

export function splitKey(key: string): { provider: string; model: string } {
  const i = key.indexOf(":");
  return { provider: key.slice(0, i), model: key.slice(i + 1) };
}

/** `gemma3:12b — 7.6 GB (loaded)`, or `gpt-4o — 128k context` when there is no size. */
export function modelLabel(m: ModelItem): string {
  let s = m.name;
  if (m.size != null) s += ` — ${formatSize(m.size)}`;
  else if (m.context_length != null) s += ` — ${formatContext(m.context_length)} context`;
  if (m.is_loaded) s += " (loaded)";
  return s;
}

/**
 * Why a stored route is not among the offered models, as the picker shows it
 * ("gemma3:12b — no longer offered by Ollama"); null when it is offered or empty.
 */
export function brokenRoute(
  route: TaskRoute | undefined,
  models: ModelsResponse,
  providers: ProviderItem[] | undefined,
  name: (id: string) => string,
): { key: string; text: string } | null {
  if (!route?.model) return null;
  const key = routeKey(route.provider, route.model);
  if (models.models.some((m) => m.id === key)) return null;
  const p = name(route.provider);
  const configured = providers?.find((x) => x.provider === route.provider);
  const status = models.providers.find((s) => s.provider === route.provider);
  let why = `no longer offered by ${p}`;
  if (providers && !configured) why = `${p} is not set up`;
  else if (configured && !configured.enabled) why = `${p} is disabled`;
  else if (status?.status === "error") why = `${p}'s models could not be listed`;
  return { key, text: `${route.model} — ${why}` };
}
