/** A fake core behind `mockIPC` for the Providers section's tests. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import type { Channel } from "@tauri-apps/api/core";
import { mockIPC } from "@tauri-apps/api/mocks";
import type { ReactNode } from "react";
import type {
  CatalogModel,
  ConnectionTest,
  OllamaModel,
  ProviderItem,
  PullOutcome,
  PullProgress,
  TaskRoute,
} from "../../bindings";
import { ToastRegion } from "../../components/toast";
import { PROVIDERS, type ProviderId } from "./config";
import { ProvidersSection } from "./ProvidersSection";

export type Call = { cmd: string; args: Record<string, unknown> };

type Handler = (args: Record<string, unknown>) => unknown;

type PendingPull = {
  model: string;
  channel: Channel<PullProgress>;
  index: number;
  resolve: (o: PullOutcome) => void;
  reject: (e: unknown) => void;
};

export const OLLAMA_ITEM: ProviderItem = {
  provider: "ollama",
  display_name: "Ollama",
  enabled: true,
  config: {
    base_url: "http://localhost",
    port: 11434,
    categorization_model: null,
    scoring_model: null,
    use_separate_models: false,
    thinking: false,
    batch_size: 1,
    timeout_s: 15,
  },
  has_key: false,
  key_last4: null,
  key_store: null,
};

export function keyedItem(provider: Exclude<ProviderId, "ollama">, over: Partial<ProviderItem> = {}) {
  return {
    provider,
    display_name: PROVIDERS[provider].label,
    enabled: true,
    config: { base_url: null, selected_models: [], batch_size: 5, timeout_s: 15 },
    has_key: true,
    key_last4: "9xyz",
    key_store: "keychain",
    ...over,
  } satisfies ProviderItem;
}

export function catalogModel(provider: string, name: string, over: Partial<CatalogModel> = {}) {
  return {
    id: `${provider}:${name}`,
    provider: provider as ProviderId,
    name,
    display_name: null,
    context_length: null,
    structured_output: null,
    size: null,
    parameter_size: null,
    quantization_level: null,
    is_loaded: null,
    selected: true,
    ...over,
  } satisfies CatalogModel;
}

const OK_TEST: ConnectionTest = { ok: true, latency_ms: 230, version: null, error: null };

/** State of the fake core, and hooks to change any command's answer. */
export class FakeCore {
  providers: ProviderItem[] = [];
  routes: TaskRoute[] = [];
  useSeparate = false;
  ollamaModels: OllamaModel[] = [];
  catalogs: Record<string, CatalogModel[]> = {};
  health: Record<string, ConnectionTest> = {};
  ollamaConnected = true;
  running: string[] = [];
  pulls = new Map<string, PendingPull>();
  prefs = new Map<string, unknown>();
  calls: Call[] = [];
  handlers: Record<string, Handler> = {};

  install() {
    mockIPC((cmd, args) => this.handle(cmd, (args ?? {}) as Record<string, unknown>));
    return this;
  }

  called(cmd: string): Call[] {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  /** Send one progress line on the pull's channel, through Tauri's callback path. */
  progress(model: string, message: PullProgress) {
    const p = this.pulls.get(model);
    if (!p) throw new Error(`no pull of ${model}`);
    const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } })
      .__TAURI_INTERNALS__;
    internals.runCallback(p.channel.id, { index: p.index++, message });
  }

  finishPull(model: string, outcome: PullOutcome = "complete") {
    const p = this.pulls.get(model);
    if (!p) throw new Error(`no pull of ${model}`);
    this.pulls.delete(model);
    this.running = this.running.filter((m) => m !== model);
    p.resolve(outcome);
  }

  failPull(model: string, error: unknown) {
    const p = this.pulls.get(model);
    if (!p) throw new Error(`no pull of ${model}`);
    this.pulls.delete(model);
    this.running = this.running.filter((m) => m !== model);
    p.reject(error);
  }

  private handle(cmd: string, args: Record<string, unknown>): unknown {
    this.calls.push({ cmd, args });
    const custom = this.handlers[cmd];
    if (custom) return custom(args);
    const p = args.provider as string;
    switch (cmd) {
      case "provider_kinds":
        return Object.values(PROVIDERS).map((m) => ({
          provider: m.id,
          display_name: m.label,
          default_base_url: m.defaultBaseUrl,
          needs_key: m.needsKey,
        }));
      case "list_providers":
        return this.providers;
      case "key_store":
        return "keychain";
      case "get_task_routes":
        return { routes: this.routes, use_separate_models: this.useSeparate };
      case "task_readiness":
        return {
          categorization: { ready: true, provider: null, model: null, reason: null, message: null, fix: null },
          scoring: { ready: true, provider: null, model: null, reason: null, message: null, fix: null },
        };
      case "list_models":
        return {
          models: [],
          providers: this.providers
            .filter((x) => x.enabled)
            .map((x) => ({
              provider: x.provider,
              status: "ok",
              count: x.provider === "ollama" ? this.ollamaModels.length : (this.catalogs[x.provider]?.length ?? 0),
              age_s: 0,
              error: null,
            })),
        };
      case "ollama_health":
        return this.ollamaConnected
          ? { connected: true, version: "0.6.1", latency_ms: 12 }
          : { connected: false, version: null, latency_ms: null };
      case "test_provider":
        return this.health[p] ?? OK_TEST;
      case "test_provider_key":
        return p === "ollama" ? { ok: true, latency_ms: 12, version: "0.6.1", error: null } : (this.health[p] ?? OK_TEST);
      case "provider_endpoint": {
        const base = ((args.baseUrl as string | null) ?? PROVIDERS[p as ProviderId].defaultBaseUrl).replace(/\/+$/, "");
        const path = p === "anthropic" ? "v1/models" : "models";
        return { base_url: base, models_url: `${base}/${path}` };
      }
      case "update_provider_config": {
        const key = args.apiKey as string | null;
        const before = this.providers.find((x) => x.provider === p);
        const item: ProviderItem = {
          provider: p as ProviderId,
          display_name: PROVIDERS[p as ProviderId].label,
          enabled: before?.enabled ?? true,
          config: args.config as ProviderItem["config"],
          has_key: p === "ollama" ? false : !!key || !!before?.has_key,
          key_last4: p === "ollama" ? null : key ? key.slice(-4) : (before?.key_last4 ?? null),
          key_store: p === "ollama" ? null : "keychain",
        };
        const order = Object.keys(PROVIDERS);
        this.providers = [...this.providers.filter((x) => x.provider !== p), item].sort(
          (a, b) => order.indexOf(a.provider) - order.indexOf(b.provider),
        );
        return item;
      }
      case "set_provider_enabled": {
        const item = this.providers.find((x) => x.provider === p);
        if (!item) throw { code: "provider_not_found", message: `provider ${p} is not configured` };
        const next = { ...item, enabled: args.enabled as boolean };
        this.providers = this.providers.map((x) => (x.provider === p ? next : x));
        return next;
      }
      case "delete_provider": {
        const removed = this.routes.filter((r) => r.provider === p);
        this.routes = this.routes.filter((r) => r.provider !== p);
        this.providers = this.providers.filter((x) => x.provider !== p);
        return { removed: p, routes_removed: removed.map((r) => ({ task: r.task, provider: r.provider, model: r.model })) };
      }
      case "delete_provider_key": {
        const item = this.providers.find((x) => x.provider === p);
        if (!item) throw { code: "provider_not_found", message: `provider ${p} is not configured` };
        const next = { ...item, has_key: false, key_last4: null };
        this.providers = this.providers.map((x) => (x.provider === p ? next : x));
        return next;
      }
      case "list_provider_catalog": {
        const item = this.providers.find((x) => x.provider === p);
        const sel = (item?.config as { selected_models?: string[] })?.selected_models ?? [];
        return (this.catalogs[p] ?? []).map((m) => ({ ...m, selected: sel.length === 0 || sel.includes(m.name) }));
      }
      case "ollama_list_models":
        if (!this.ollamaConnected) throw { code: "unreachable", message: "Ollama cannot be reached" };
        return this.ollamaModels;
      case "ollama_pulls":
        return [...new Set([...this.running, ...this.pulls.keys()])].sort();
      case "ollama_pull_model": {
        const model = args.model as string;
        return new Promise<PullOutcome>((resolve, reject) => {
          this.pulls.set(model, {
            model,
            channel: args.onProgress as Channel<PullProgress>,
            index: 0,
            resolve,
            reject,
          });
        });
      }
      case "ollama_cancel_pull": {
        const model = args.model as string;
        const pending = this.pulls.get(model);
        if (pending) {
          this.pulls.delete(model);
          pending.resolve("cancelled");
        }
        this.running = this.running.filter((m) => m !== model);
        return !!pending;
      }
      case "ollama_delete_model": {
        const model = args.model as string;
        this.ollamaModels = this.ollamaModels.filter((m) => m.name !== model);
        const using = this.routes.filter((r) => r.provider === "ollama" && r.model === model);
        return { deleted: model, routes_using: using.map((r) => ({ task: r.task, provider: r.provider, model: r.model })) };
      }
      case "plugin:store|load":
        return 1;
      case "plugin:store|get":
        return [this.prefs.get(args.key as string) ?? null, this.prefs.has(args.key as string)];
      case "plugin:store|set":
        this.prefs.set(args.key as string, args.value);
        return null;
      case "plugin:store|save":
        return null;
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  }
}

export function newClient() {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 30_000, refetchOnWindowFocus: false } } });
}

export function renderSection(client = newClient(), extra?: ReactNode) {
  const utils = render(
    <QueryClientProvider client={client}>
      <ProvidersSection />
      {extra}
      <ToastRegion />
    </QueryClientProvider>,
  );
  return { ...utils, client };
}

/** A toast's text, once it is shown in the notifications region. */
export async function findToast(text: string | RegExp) {
  const region = await screen.findByRole("region", { name: "Notifications" });
  return within(region).findByText(text);
}
