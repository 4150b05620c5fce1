import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Button, ProgressBar } from "react-aria-components";
import type { OllamaModel, TaskRoute } from "../../bindings";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorState, Skeleton } from "../../components/QueryState";
import { toast } from "../../components/toast";
import { errorSentence } from "../../lib/errors";
import { normalizeOllamaModel, SUGGESTED_OLLAMA_MODELS } from "./config";
import { Field, SrOnly } from "./fields";
import { tasksUsing } from "./PanelFrame";
import { cancelPull, dismissPull, startPull, usePulls, validateModelName, type PullView } from "./pulls";
import { ollamaModelsQuery, useDeleteOllamaModel, useProviderHealth } from "./queries";
import { formatSize, formatSpeed, joinTasks } from "./text";

const CURATED = SUGGESTED_OLLAMA_MODELS.map((m) => normalizeOllamaModel(m.name));

/** Installed models (curated ones first), suggested and custom pulls, pulls in progress. */
export function OllamaLibrary({ routes }: { routes: TaskRoute[] | undefined }) {
  const health = useProviderHealth("ollama", true);
  const connected = health.data?.ok === true;
  const installed = useQuery(ollamaModelsQuery(connected));
  const pulls = usePulls();
  const del = useDeleteOllamaModel();
  const [toDelete, setToDelete] = useState<string | null>(null);
  const [custom, setCustom] = useState("");
  const [customError, setCustomError] = useState<string | null>(null);

  const pulling = new Set(pulls.filter((p) => p.phase === "running").map((p) => p.model));
  const installedNames = new Set((installed.data ?? []).map((m) => normalizeOllamaModel(m.name)));
  const sorted = sortInstalled(installed.data ?? []);
  const suggested = SUGGESTED_OLLAMA_MODELS.filter((m) => !installedNames.has(normalizeOllamaModel(m.name)));
  const deleteTasks = toDelete ? tasksUsing(routes, "ollama", toDelete) : [];

  const pullCustom = () => {
    const problem = validateModelName(custom);
    setCustomError(problem);
    if (problem) return;
    startPull(custom.trim());
    setCustom("");
  };

  const confirmDelete = () => {
    const model = toDelete;
    setToDelete(null);
    if (!model) return;
    del.mutate(model, {
      onSuccess: (r) => {
        const used = r.routes_using.map((x) => x.task);
        toast(
          used.length
            ? `Deleted ${r.deleted}. ${joinTasks(used)} ${used.length === 1 ? "is" : "are"} paused until you choose another model or pull it again.`
            : `Deleted ${r.deleted}.`,
          "success",
        );
      },
      onError: (err) => toast(`Could not delete ${model}: ${errorSentence(err)}`, "error"),
    });
  };

  return (
    <div className="pv-library">
      <h3 className="pv-h3">Installed models</h3>
      {!health.data && !health.isError ? (
        <Skeleton lines={2} />
      ) : !connected ? (
        <p className="muted">Ollama is not reachable, so its installed models cannot be listed.</p>
      ) : installed.isPending ? (
        <Skeleton lines={3} />
      ) : installed.isError ? (
        <ErrorState error={installed.error} onRetry={() => void installed.refetch()} />
      ) : sorted.length === 0 ? (
        <p className="muted">No models installed yet.</p>
      ) : (
        <ul className="pv-model-list" role="list">
          {sorted.map((m) => {
            const used = tasksUsing(routes, "ollama", m.name);
            const meta = [formatSize(m.size), m.parameter_size, m.quantization_level].filter(Boolean).join(" · ");
            return (
              <li key={m.name} className="pv-model-row">
                <span className="pv-model-name">{m.name}</span>
                {meta && <span className="pv-model-meta">{meta}</span>}
                {m.is_loaded && <span className="pv-badge">loaded</span>}
                {used.length > 0 && <span className="pv-model-used">Used by {joinTasks(used)}</span>}
                <Button
                  className="button danger-subtle pv-row-end"
                  onPress={() => setToDelete(m.name)}
                  isDisabled={del.isPending && del.variables === m.name}
                >
                  Remove{" "}<SrOnly>{m.name}</SrOnly>
                </Button>
              </li>
            );
          })}
        </ul>
      )}

      <h3 className="pv-h3">Download models</h3>
      {pulls.length > 0 && (
        <ul className="pv-pulls" role="list" aria-label="Pulls">
          {pulls.map((p) => (
            <PullRow key={p.model} pull={p} />
          ))}
        </ul>
      )}
      {suggested.length > 0 && (
        <>
          <p className="muted">Suggested models for article scoring:</p>
          <ul className="pv-model-list" role="list">
            {suggested.map((m) => {
              const busy = pulling.has(normalizeOllamaModel(m.name));
              return (
                <li key={m.name} className="pv-model-row">
                  <span className="pv-model-name">{m.name}</span>
                  <span className="pv-model-meta">{m.size}</span>
                  <span className="pv-model-desc">{m.description}</span>
                  <Button className="button pv-row-end" onPress={() => startPull(m.name)} isDisabled={busy}>
                    {busy ? "Pulling" : "Pull"}
                    {" "}<SrOnly>{m.name}</SrOnly>
                  </Button>
                </li>
              );
            })}
          </ul>
        </>
      )}
      <div className="pv-row pv-custom-pull">
        <Field
          label="Model to pull"
          className="pv-grow"
          value={custom}
          onChange={(v) => {
            setCustom(v);
            setCustomError(null);
          }}
          error={customError}
          placeholder="e.g., mistral:7b"
          description="Any model from the Ollama library, by name and tag."
          onEnter={pullCustom}
        />
        <Button className="button pv-align-end" onPress={pullCustom}>
          Pull
        </Button>
      </div>

      <ConfirmDialog
        isOpen={toDelete !== null}
        title={`Delete ${toDelete ?? ""}?`}
        confirmLabel="Delete"
        destructive
        onConfirm={confirmDelete}
        onCancel={() => setToDelete(null)}
      >
        <p>Ollama deletes the model’s files from disk. You can pull it again later.</p>
        {deleteTasks.length > 0 && (
          <p>
            <strong>{joinTasks(deleteTasks)}</strong> {deleteTasks.length === 1 ? "uses" : "use"} this model and
            will pause until you choose another model or pull it again.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}

function sortInstalled(models: OllamaModel[]): OllamaModel[] {
  const rank = (m: OllamaModel) => {
    const i = CURATED.indexOf(normalizeOllamaModel(m.name));
    return i < 0 ? CURATED.length : i;
  };
  return models
    .map((m, i) => ({ m, i }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i)
    .map(({ m }) => m);
}

/** One pull: bar, "42% • 12.3 MB/s • pulling …", and Cancel (which stops it at once). */
export function PullRow({ pull }: { pull: PullView }) {
  if (pull.phase === "error") {
    return (
      <li className="pv-pull" data-phase="error">
        <span className="pv-model-name">{pull.model}</span>
        <p className="pv-pull-error">
          Could not pull {pull.model}: {pull.error}
        </p>
        <Button className="button pv-row-end" onPress={() => dismissPull(pull.model)}>
          Dismiss{" "}<SrOnly>{pull.model}</SrOnly>
        </Button>
      </li>
    );
  }
  const parts = [
    pull.percent === null ? null : `${pull.percent}%`,
    formatSpeed(pull.speed),
    pull.status || null,
  ].filter(Boolean);
  return (
    <li className="pv-pull" data-phase={pull.phase}>
      <span className="pv-model-name">{pull.model}</span>
      <ProgressBar
        className="pv-progress"
        aria-label={`Pulling ${pull.model}`}
        value={pull.percent ?? 0}
        isIndeterminate={pull.percent === null}
        valueLabel={parts.join(" • ")}
      >
        {({ percentage, isIndeterminate }) => (
          <span className="pv-bar" data-indeterminate={isIndeterminate || undefined}>
            <span className="pv-bar-fill" style={{ width: isIndeterminate ? undefined : `${percentage ?? 0}%` }} />
          </span>
        )}
      </ProgressBar>
      <span className="pv-pull-text">{parts.join(" • ")}</span>
      {pull.phase === "running" && (
        <Button className="button pv-row-end" onPress={() => cancelPull(pull.model)}>
          Cancel{" "}<SrOnly>{pull.model}</SrOnly>
        </Button>
      )}
    </li>
  );
}
