import { useQuery } from "@tanstack/react-query";
import { Button } from "react-aria-components";
import type { ModelItem, ProviderModelsStatus } from "../../bindings";
import { ErrorState, Skeleton } from "../../components/QueryState";
import { toast } from "../../components/toast";
import { errorSentence } from "../../lib/errors";
import { CommandError } from "../../lib/ipc";
import { formatAgo, formatContext, formatSize } from "../../lib/format";
import { modelsQuery, providerKindsQuery, providerName } from "../../lib/queries";
import { go } from "../../lib/nav";
import { useRefreshModels } from "./queries";

/** Every enabled provider's exposed models, with how each provider's list came about. */
export function ModelsSection() {
  const models = useQuery(modelsQuery());
  const kinds = useQuery(providerKindsQuery());
  const refresh = useRefreshModels();
  const name = (id: string) => providerName(kinds.data, id);

  const onRefresh = () =>
    refresh.mutate(undefined, {
      onSuccess: (r) => {
        const failing = r.providers.filter((p) => p.status !== "ok").length;
        if (failing === 0) toast("Model lists refreshed.", "success");
        else toast(`Model lists refreshed; ${failing} ${failing === 1 ? "provider" : "providers"} did not answer.`, "info");
      },
      onError: (e) => toast(errorSentence(e), "error"),
    });

  return (
    <section className="pane" aria-labelledby="models-title">
      <div className="pane-head">
        <h1 id="models-title">Models</h1>
        <Button className="button" onPress={onRefresh} isDisabled={refresh.isPending || models.isPending}>
          {refresh.isPending ? "Refreshing…" : "Refresh"}
        </Button>
      </div>
      {models.isPending && (
        <div className="card">
          <Skeleton lines={4} />
        </div>
      )}
      {models.isError && <ErrorState error={models.error} onRetry={() => void models.refetch()} />}
      {models.data && models.data.providers.length === 0 && (
        <div className="card">
          <p>No provider is enabled, so no models are offered.</p>
          <Button className="button" onPress={() => go("providers", { kind: "add_provider" })}>
            Add provider
          </Button>
        </div>
      )}
      {models.data?.providers.map((p) => (
        <ProviderModels
          key={p.provider}
          status={p}
          name={name(p.provider)}
          models={models.data.models.filter((m) => m.provider === p.provider)}
        />
      ))}
    </section>
  );
}

function statusText(s: ProviderModelsStatus): string {
  const n = `${s.count} ${s.count === 1 ? "model" : "models"}`;
  switch (s.status) {
    case "ok":
      return n;
    case "stale":
      return `${n}, last listed ${formatAgo(s.age_s ?? 0)}. ${s.error ? errorSentence(briefError(s)) : ""}`.trim();
    case "error":
      return s.error ? errorSentence(briefError(s)) : "The models could not be listed.";
  }
}

function briefError(s: ProviderModelsStatus) {
  return s.error ? new CommandError(s.error) : null;
}

function ProviderModels({
  status,
  name,
  models,
}: {
  status: ProviderModelsStatus;
  name: string;
  models: ModelItem[];
}) {
  const headingId = `models-${status.provider}`;
  return (
    <section className="card provider-models" aria-labelledby={headingId}>
      <h2 id={headingId}>{name}</h2>
      <p className="list-status" data-status={status.status} data-testid={`list-status-${status.provider}`}>
        {statusText(status)}
      </p>
      {models.length > 0 ? (
        <table className="model-table" aria-labelledby={headingId}>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Size</th>
              <th scope="col">Context</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.id}>
                <td>
                  {m.name}
                  {m.display_name && m.display_name !== m.name && (
                    <span className="muted small"> · {m.display_name}</span>
                  )}
                </td>
                <td>{m.size != null ? formatSize(m.size) : "—"}</td>
                <td>{m.context_length != null ? formatContext(m.context_length) : "—"}</td>
                <td>{m.is_loaded ? "loaded" : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        status.status === "ok" && <p className="muted">{name} offers no models.</p>
      )}
    </section>
  );
}
