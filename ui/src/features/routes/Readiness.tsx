import { useState } from "react";
import { Button } from "react-aria-components";
import type { Task, TaskReadiness } from "../../bindings";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { toast } from "../../components/toast";
import { errorSentence } from "../../lib/errors";
import { CommandError } from "../../lib/ipc";
import { formatSpeed } from "../../lib/format";
import { go } from "../../lib/nav";
import {
  useCancelPull,
  useEnableProvider,
  useExposeModel,
  usePullModel,
  useTestProvider,
  type PullState,
} from "./queries";

const TITLE: Record<Task, string> = { categorization: "Categorization", scoring: "Scoring" };

type Props = {
  task: Task;
  readiness: TaskReadiness;
  name: (provider: string) => string;
  /** Focus this task's model picker (the `choose_model` fix). */
  onChooseModel: () => void;
};

/**
 * One task's readiness: "Ready — Ollama · gemma3:12b", or the reason's sentence with the
 * one button that performs its fix.
 */
export function ReadinessLine({ task, readiness: r, name, onChooseModel }: Props) {
  const provider = r.provider ?? "";
  const model = r.model ?? "";
  const [confirmEnable, setConfirmEnable] = useState(false);
  const [pull, setPull] = useState<PullState | null>(null);
  const enable = useEnableProvider();
  const test = useTestProvider();
  const expose = useExposeModel();
  const pullModel = usePullModel(setPull);
  const cancelPull = useCancelPull();

  const fix = () => {
    switch (r.fix) {
      case "add_provider":
        go("providers", { kind: "add_provider" });
        break;
      case "configure_provider":
        go("providers", { kind: "configure_provider", provider });
        break;
      case "enable_provider":
        setConfirmEnable(true);
        break;
      case "choose_model":
        onChooseModel();
        break;
      case "test_provider":
        test.mutate(provider, {
          onSuccess: (t) => {
            if (t.ok) {
              const ms = t.latency_ms != null ? ` in ${t.latency_ms} ms` : "";
              toast(`${name(provider)} answered${ms}.`, "success");
            } else {
              toast(t.error ? errorSentence(new CommandError(t.error)) : `${name(provider)} did not answer.`, "error");
            }
          },
          onError: (e) => toast(errorSentence(e), "error"),
        });
        break;
      case "pull_model":
        setPull({ percent: null, status: "starting", speed: null });
        pullModel.mutate(model, {
          onSuccess: (outcome) =>
            toast(outcome === "complete" ? `Downloaded ${model}.` : `Download of ${model} cancelled.`, outcome === "complete" ? "success" : "info"),
          onError: (e) => toast(errorSentence(e), "error"),
          onSettled: () => setPull(null),
        });
        break;
      case "expose_model":
        expose.mutate(
          { provider, model },
          {
            onSuccess: (res) => {
              if (res === "not_in_catalog")
                toast(`${model} is not in ${name(provider)}'s catalog; choose another model.`, "error");
              else toast(`${model} is now exposed for ${name(provider)}.`, "success");
            },
            onError: (e) => toast(errorSentence(e), "error"),
          },
        );
        break;
      default:
        break;
    }
  };

  const busy = test.isPending || expose.isPending || pullModel.isPending || enable.isPending;
  const label = fixLabel(r, name);

  return (
    <div className="readiness-task">
      <div
        role="status"
        aria-label={`${TITLE[task]} readiness`}
        className="readiness"
        data-ready={r.ready ? "true" : "false"}
      >
        {r.ready ? (
          <span>
            Ready — {name(provider)} · {model}
          </span>
        ) : (
          <>
            <span>{r.message ?? `${TITLE[task]} is paused.`}</span>
            {label && (
              <Button className="button small" onPress={fix} isDisabled={busy}>
                {busyLabel(r, test.isPending, pullModel.isPending, expose.isPending) ?? label}
              </Button>
            )}
          </>
        )}
      </div>
      {pull && (
        <div className="progress">
          <progress
            aria-label={`Downloading ${model}`}
            max={100}
            value={pull.percent ?? undefined}
          />
          <span className="small">
            {[pull.percent != null ? `${pull.percent}%` : null, pull.speed ? formatSpeed(pull.speed) : null, pull.status]
              .filter(Boolean)
              .join(" • ")}
          </span>
          <Button className="button small" onPress={() => cancelPull.mutate(model)}>
            Cancel
          </Button>
        </div>
      )}
      <ConfirmDialog
        isOpen={confirmEnable}
        title={`Enable ${name(provider)}?`}
        confirmLabel="Enable"
        onCancel={() => setConfirmEnable(false)}
        onConfirm={() => {
          setConfirmEnable(false);
          enable.mutate(provider, {
            onSuccess: () => toast(`${name(provider)} enabled.`, "success"),
            onError: (e) => toast(errorSentence(e), "error"),
          });
        }}
      >
        <p>
          {TITLE[task]} will use {name(provider)}
          {model ? ` · ${model}` : ""} again. Other tasks routed to {name(provider)} resume too.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function fixLabel(r: TaskReadiness, name: (p: string) => string): string | null {
  const p = name(r.provider ?? "");
  switch (r.fix) {
    case "add_provider":
      return "Add provider";
    case "configure_provider":
      return `Set up ${p}`;
    case "enable_provider":
      return `Enable ${p}`;
    case "choose_model":
      return "Choose a model";
    case "test_provider":
      return "Test connection";
    case "pull_model":
      return `Download ${r.model ?? "model"}`;
    case "expose_model":
      return `Expose ${r.model ?? "model"}`;
    default:
      return null;
  }
}

function busyLabel(r: TaskReadiness, testing: boolean, pulling: boolean, exposing: boolean): string | null {
  if (r.fix === "test_provider" && testing) return "Testing…";
  if (r.fix === "pull_model" && pulling) return "Downloading…";
  if (r.fix === "expose_model" && exposing) return "Exposing…";
  return null;
}
