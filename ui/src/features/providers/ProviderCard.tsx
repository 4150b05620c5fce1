import type { Ref } from "react";
import { Button, Switch } from "react-aria-components";
import type { ModelsResponse, ProviderItem } from "../../bindings";
import { errorSentence } from "../../lib/errors";
import { isProviderId, keyedConfigOf, ollamaConfigOf, type ProviderId } from "./config";
import { ProviderLogo } from "./logos";
import { useProviderHealth, type Health } from "./queries";
import { usePulls } from "./pulls";
import { healthWords } from "./text";

export type Tone = "ok" | "down" | "off" | "checking" | "warn";

/** "Connected · 12 ms · v0.6.1" (each part only when known). */
export function connectedWords(h: Health): string {
  const parts = ["Connected"];
  if (h.latency_ms != null) parts.push(`${h.latency_ms} ms`);
  if (h.version) parts.push(h.version.startsWith("v") ? h.version : `v${h.version}`);
  return parts.join(" · ");
}

export function ollamaEndpoint(config: unknown): string {
  const c = ollamaConfigOf(config);
  return `${c.base_url}:${c.port}`;
}

/** A provider's live status in words, and its tone. */
export function statusOf(
  item: ProviderItem,
  health: { data?: Health; isError: boolean; error: unknown },
): { words: string; tone: Tone } {
  const label = item.display_name;
  if (!item.enabled) return { words: "Disabled", tone: "off" };
  const h = health.data;
  if (!h) {
    if (health.isError) return { words: `Status unknown — ${errorSentence(health.error)}`, tone: "warn" };
    if (isProviderId(item.provider) && item.provider !== "ollama" && !item.has_key)
      return { words: "API key missing", tone: "warn" };
    return { words: "Checking…", tone: "checking" };
  }
  if (h.ok) return { words: connectedWords(h), tone: "ok" };
  if (item.provider === "ollama")
    return { words: `Unreachable — nothing answers at ${ollamaEndpoint(item.config)}`, tone: "down" };
  if (!h.error) return { words: "Unreachable", tone: "down" };
  const words = healthWords(h.error, label);
  const tone: Tone = /^API key/.test(words) ? "warn" : "down";
  return { words, tone };
}

function countWords(item: ProviderItem, models: ModelsResponse | undefined): string | null {
  if (!item.enabled) return null;
  const listed = models?.providers.find((p) => p.provider === item.provider);
  const known = listed && listed.status !== "error" ? listed.count : null;
  const n = (k: number) => `${k} ${k === 1 ? "model" : "models"} exposed`;
  if (item.provider === "ollama") return known === null ? null : n(known);
  const selected = keyedConfigOf(item.config).selected_models;
  if (selected.length === 0) return known ? `All models exposed (${known})` : "All models exposed";
  return n(selected.length);
}

export function ProviderCard({
  item,
  expanded,
  panelId,
  models,
  onOpen,
  onToggleEnabled,
  buttonRef,
  enabledBusy,
}: {
  item: ProviderItem;
  expanded: boolean;
  panelId: string;
  models: ModelsResponse | undefined;
  onOpen: () => void;
  onToggleEnabled: (next: boolean) => void;
  buttonRef: Ref<HTMLButtonElement>;
  enabledBusy: boolean;
}) {
  const health = useProviderHealth(item.provider, item.enabled);
  const status = statusOf(item, health);
  const count = countWords(item, models);
  const pulls = usePulls();
  const running = item.provider === "ollama" ? pulls.filter((p) => p.phase === "running") : [];
  const id = `pv-card-${item.provider}`;
  const first = running[0];
  const pullWords =
    running.length > 1
      ? `Pulling ${running.length} models`
      : first
        ? `Pulling ${first.model}${first.percent != null ? ` · ${first.percent}%` : ""}`
        : null;
  return (
    <li className="pv-card" data-tone={status.tone} data-expanded={expanded || undefined}>
      <div className="pv-card-body" role="group" aria-label={`${item.display_name} provider`}>
      <div className="pv-card-top">
        <span className="pv-card-logo">
          {isProviderId(item.provider) && <ProviderLogo provider={item.provider as ProviderId} />}
        </span>
        <Button
          ref={buttonRef}
          id={`${id}-open`}
          className="pv-card-open"
          onPress={onOpen}
          aria-expanded={expanded}
          aria-controls={expanded ? panelId : undefined}
          aria-describedby={`${id}-status${count ? ` ${id}-count` : ""}${pullWords ? ` ${id}-pull` : ""}`}
        >
          {item.display_name}
        </Button>
      </div>
      <p id={`${id}-status`} className="pv-card-status">
        <span className="pv-dot" aria-hidden="true" />
        {status.words}
      </p>
      {count && (
        <p id={`${id}-count`} className="pv-card-count">
          {count}
        </p>
      )}
      {pullWords && (
        <p id={`${id}-pull`} className="pv-card-pull">
          {pullWords}
        </p>
      )}
      <Switch
        className="switch"
        isSelected={item.enabled}
        isDisabled={enabledBusy}
        onChange={onToggleEnabled}
      >
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
        Enabled
      </Switch>
      </div>
    </li>
  );
}
