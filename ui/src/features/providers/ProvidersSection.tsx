import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Button } from "react-aria-components";
import type { ProviderItem, TaskRoutes } from "../../bindings";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorState, Skeleton } from "../../components/QueryState";
import { toast } from "../../components/toast";
import { errorSentence } from "../../lib/errors";
import { useNav } from "../../lib/nav";
import { AddProviderDialog } from "./AddProviderDialog";
import { isProviderId, labelOf, PROVIDERS, type ProviderId } from "./config";
import { KEY_STORE_WORDS, KeyedPanel } from "./KeyedPanel";
import { OllamaPanel } from "./OllamaPanel";
import { tasksUsing, type PanelProps } from "./PanelFrame";
import { ProviderCard } from "./ProviderCard";
import { bindQueryClient, hasDetachedPulls, reconcilePulls, usePulls } from "./pulls";
import {
  modelsQuery,
  ollamaPullsQuery,
  providersQuery,
  routesQuery,
  useDeleteProvider,
  useSetEnabled,
} from "./queries";
import { clearDraft, setAddDialogOpen, setOpenPanel, useAddDialogOpen, useOpenPanel } from "./session";
import { joinTasks, taskLabel } from "./text";
import "./providers.css";

type Confirm = { kind: "disable" | "disconnect"; provider: string; label: string; tasks: string[] | null };

const PANEL_ID = "pv-panel";

/** Keep the pulls the core reports in step with the ones shown (polled while needed). */
function usePullSync() {
  const qc = useQueryClient();
  const pulls = usePulls();
  const detached = hasDetachedPulls(pulls);
  const q = useQuery(ollamaPullsQuery(detached ? 1000 : false));
  useEffect(() => bindQueryClient(qc), [qc]);
  useEffect(() => {
    if (q.data) reconcilePulls(q.data);
  }, [q.data, q.dataUpdatedAt]);
}

/**
 * The Providers section: a card per configured provider with its live status, the Add
 * provider dialog, and the open provider's panel under the cards.
 */
export function ProvidersSection() {
  const qc = useQueryClient();
  const { intent, clearIntent } = useNav();
  const providers = useQuery(providersQuery());
  const routes = useQuery(routesQuery());
  const models = useQuery(modelsQuery());
  const open = useOpenPanel();
  const addOpen = useAddDialogOpen();
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const setEnabled = useSetEnabled();
  const del = useDeleteProvider();
  const cardRefs = useRef<Partial<Record<string, HTMLButtonElement | null>>>({});
  const addRef = useRef<HTMLButtonElement>(null);
  usePullSync();

  const items = providers.data;
  const configured = new Set((items ?? []).map((i) => i.provider));
  const openItem = open && items ? items.find((i) => i.provider === open.provider) : undefined;

  // A panel follows the list: a provider disconnected elsewhere closes its panel, one
  // added elsewhere turns a setup panel into its edit panel.
  useEffect(() => {
    if (!items || !open) return;
    const exists = items.some((i) => i.provider === open.provider);
    if (open.mode === "edit" && !exists) setOpenPanel(null);
    if (open.mode === "setup" && exists) setOpenPanel({ provider: open.provider, mode: "edit" });
  }, [items, open]);

  // Fix actions from elsewhere (readiness): open the dialog, or a provider's panel.
  useEffect(() => {
    if (!intent) return;
    if (intent.kind === "add_provider") {
      setAddDialogOpen(true);
      clearIntent();
    } else if (intent.kind === "configure_provider" && items) {
      const p = intent.provider;
      if (isProviderId(p)) {
        setOpenPanel({ provider: p, mode: items.some((i) => i.provider === p) ? "edit" : "setup", focusField: true });
      }
      clearIntent();
    }
  }, [intent, items, clearIntent]);

  const focusLater = (el: () => HTMLElement | null | undefined) => setTimeout(() => el()?.focus(), 0);

  const closePanel = () => {
    const cur = open;
    setOpenPanel(null);
    if (!cur) return;
    clearDraft(cur.provider, cur.mode);
    focusLater(() => (cur.mode === "edit" ? cardRefs.current[cur.provider] : addRef.current));
  };

  const openCard = (p: ProviderId) => {
    if (open?.provider === p && open.mode === "edit") {
      closePanel();
      return;
    }
    setOpenPanel({ provider: p, mode: "edit" });
  };

  const choose = (p: ProviderId) => {
    setAddDialogOpen(false);
    setOpenPanel({ provider: p, mode: "setup", focusField: true });
  };

  /** The tasks routed to `provider` (null when the routes cannot be read). */
  const routedTasks = async (provider: string): Promise<string[] | null> => {
    let r: TaskRoutes | undefined = routes.data;
    if (!r) r = await qc.fetchQuery(routesQuery()).catch(() => undefined);
    return r ? tasksUsing(r.routes, provider) : null;
  };

  const changeEnabled = (provider: string, enabled: boolean) => {
    const label = labelOf(provider);
    setEnabled.mutate(
      { provider, enabled },
      {
        onSuccess: () => toast(`${label} ${enabled ? "enabled" : "disabled"}.`, "success"),
        onError: (err) => toast(`${label} was not ${enabled ? "enabled" : "disabled"}: ${errorSentence(err)}`, "error"),
      },
    );
  };

  const requestEnabled = async (item: ProviderItem, next: boolean) => {
    if (next) return changeEnabled(item.provider, true);
    const tasks = await routedTasks(item.provider);
    if (tasks && tasks.length === 0) return changeEnabled(item.provider, false);
    setConfirm({ kind: "disable", provider: item.provider, label: item.display_name, tasks });
  };

  const requestDisconnect = async (item: ProviderItem) => {
    const tasks = await routedTasks(item.provider);
    setConfirm({ kind: "disconnect", provider: item.provider, label: item.display_name, tasks });
  };

  const onConfirm = () => {
    const c = confirm;
    setConfirm(null);
    if (!c) return;
    if (c.kind === "disable") return changeEnabled(c.provider, false);
    del.mutate(c.provider, {
      onSuccess: (r) => {
        if (open?.provider === c.provider) {
          setOpenPanel(null);
          clearDraft(c.provider, "edit");
        }
        const removed = r.routes_removed.map((x) => `${taskLabel(x.task)}${x.model ? ` (${x.model})` : ""}`);
        toast(
          removed.length
            ? `${c.label} disconnected. Routes removed: ${removed.join(", ")}.`
            : `${c.label} disconnected.`,
          "success",
        );
        focusLater(() => addRef.current);
      },
      onError: (err) => toast(`${c.label} was not disconnected: ${errorSentence(err)}`, "error"),
    });
  };

  const onSaved = (item: ProviderItem, wasSetup: boolean) => {
    if (!wasSetup || !isProviderId(item.provider)) return;
    const where = item.key_store && item.has_key ? ` The API key is ${KEY_STORE_WORDS[item.key_store]}.` : "";
    toast(`${item.display_name} added.${where}`, "success");
    setOpenPanel({ provider: item.provider, mode: "edit" });
  };

  const loaded = items !== undefined;
  const empty = loaded && items.length === 0 && !open;
  const busyEnabling = (p: string) => setEnabled.isPending && setEnabled.variables?.provider === p;

  let panel = null;
  if (open && loaded && (open.mode === "setup" || openItem)) {
    const props: PanelProps = {
      provider: open.provider,
      mode: open.mode,
      item: openItem,
      routes: routes.data?.routes,
      panelId: PANEL_ID,
      focusField: !!open.focusField,
      onClose: closePanel,
      onSaved,
      onRequestEnabled: (next) => {
        if (openItem) void requestEnabled(openItem, next);
      },
      onRequestDisconnect: () => {
        if (openItem) void requestDisconnect(openItem);
      },
      enabledBusy: busyEnabling(open.provider),
    };
    const key = `${open.provider}:${open.mode}`;
    panel = open.provider === "ollama" ? <OllamaPanel key={key} {...props} /> : <KeyedPanel key={key} {...props} />;
  }

  return (
    <section className="pane pv-section" aria-labelledby="providers-title">
      <div className="pv-head">
        <h1 id="providers-title">Providers</h1>
        {loaded && !empty && (
          <Button ref={addRef} className="button primary" onPress={() => setAddDialogOpen(true)}>
            Add provider
          </Button>
        )}
      </div>

      {providers.isPending ? (
        <div className="pv-cards-loading">
          <Skeleton lines={4} />
        </div>
      ) : providers.isError ? (
        <ErrorState error={providers.error} onRetry={() => void providers.refetch()} />
      ) : empty ? (
        <div className="pv-empty">
          <h2 className="pv-empty-title">No providers configured</h2>
          <p className="muted">Add an LLM provider to enable article scoring and categorization.</p>
          <Button ref={addRef} className="button primary" onPress={() => setAddDialogOpen(true)}>
            Add provider
          </Button>
        </div>
      ) : (
        items &&
        items.length > 0 && (
          <ul className="pv-cards" role="list" aria-label="Configured providers">
            {items.map((item) => (
              <ProviderCard
                key={item.provider}
                item={item}
                expanded={open?.provider === item.provider && open.mode === "edit"}
                panelId={PANEL_ID}
                models={models.data}
                onOpen={() => isProviderId(item.provider) && openCard(item.provider)}
                onToggleEnabled={(next) => void requestEnabled(item, next)}
                buttonRef={(el) => {
                  cardRefs.current[item.provider] = el;
                }}
                enabledBusy={busyEnabling(item.provider)}
              />
            ))}
          </ul>
        )
      )}

      {panel}

      <AddProviderDialog
        isOpen={addOpen}
        configured={configured}
        onChoose={choose}
        onClose={() => setAddDialogOpen(false)}
      />
      <ConfirmDialog
        isOpen={confirm !== null}
        title={confirm ? `${confirm.kind === "disable" ? "Disable" : "Disconnect"} ${confirm.label}?` : ""}
        confirmLabel={confirm?.kind === "disable" ? "Disable" : "Disconnect"}
        destructive
        onConfirm={onConfirm}
        onCancel={() => setConfirm(null)}
      >
        {confirm && <ConfirmText confirm={confirm} />}
      </ConfirmDialog>
    </section>
  );
}

function ConfirmText({ confirm }: { confirm: Confirm }) {
  const { kind, label, tasks } = confirm;
  const meta = isProviderId(confirm.provider) ? PROVIDERS[confirm.provider] : null;
  const n = tasks?.length ?? 0;
  const named = tasks && n > 0 ? <strong>{joinTasks(tasks)}</strong> : null;
  if (kind === "disable") {
    return named ? (
      <p>
        {named} {n === 1 ? "uses" : "use"} {label}. {n === 1 ? "It pauses" : "They pause"} until you enable {label}{" "}
        again or route {n === 1 ? "it" : "them"} to another provider.
      </p>
    ) : (
      <p>Tasks routed to {label} pause until you enable it again. Its settings are kept.</p>
    );
  }
  return (
    <>
      <p>
        Disconnecting deletes {label}’s settings{meta?.needsKey ? " and its stored API key" : ""}. You can add it again
        later.
      </p>
      {named ? (
        <p>
          The {n === 1 ? "route" : "routes"} of {named} will be removed; {n === 1 ? "that task pauses" : "those tasks pause"}{" "}
          until you choose another model.
        </p>
      ) : tasks === null ? (
        <p>Any task routed to {label} loses its route and pauses until you choose another model.</p>
      ) : null}
    </>
  );
}
