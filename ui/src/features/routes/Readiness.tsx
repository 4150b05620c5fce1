import { useState } from "react";
import { Button } from "react-aria-components";
import type { Task, TaskReadiness } from "../../bindings";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { toast } from "../../components/toast";
import { errorSentence } from "../../lib/errors";
import { CommandError } from "../../lib/ipc";
import { go } from "../../lib/nav";
import { normalizeOllamaModel } from "../providers/config";
import { PullRow } from "../providers/OllamaLibrary";
import { startPull, usePulls, usePullSync } from "../providers/pulls";
import "../providers/providers.css";
import { useEnableProvider, useExposeModel, useTestProvider } from "./queries";

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
  const enable = useEnableProvider();
  const test = useTestProvider();
  const expose = useExposeModel();
  // Pulls are the window's one set (the Providers section shows the same ones).
  const pulls = usePulls();
  const pullName = r.fix === "pull_model" && model ? normalizeOllamaModel(model) : null;
  const pull = pullName ? pulls.find((p) => p.model === pullName) : undefined;
  const pulling = pull?.phase === "running";

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
        // Progress, Cancel and the outcome's toast come from the shared pulls store.
        if (model) startPull(model);
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

  const busy = test.isPending || expose.isPending || pulling || enable.isPending;
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
              // Pending rather than disabled: the focus stays on the button while it works.
              <Button className="button small" onPress={fix} isPending={busy}>
                {busyLabel(r, test.isPending, pulling, expose.isPending) ?? label}
              </Button>
            )}
          </>
        )}
      </div>
      {r.fix === "pull_model" && <PullSync />}
      {pull && (
        <ul className="pv-pulls readiness-pull" role="list" aria-label={`${TITLE[task]} download`}>
          <PullRow pull={pull} />
        </ul>
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

/** Learns pulls started elsewhere (or before a reload) while a download is the fix. */
function PullSync() {
  usePullSync();
  return null;
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
