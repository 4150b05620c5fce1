import { useRef, useState } from "react";
import { toast } from "../../components/toast";
import { errorSentence } from "../../lib/errors";
import type { StructuredMode } from "../../bindings";
import { DEFAULT_OLLAMA, ollamaConfigOf, type OllamaConfig } from "./config";
import { Field, StructuredOutputField } from "./fields";
import { OllamaLibrary } from "./OllamaLibrary";
import { PanelActions, PanelFrame, type PanelProps } from "./PanelFrame";
import { connectedWords } from "./ProviderCard";
import { useProviderHealth, useSaveProvider, useTestConnection } from "./queries";
import { clearDraft, loadDraft, saveDraft } from "./session";
import { TestResult, type TestOutcome } from "./TestResult";
import { fieldError, validateBatch, validateOllamaHost, validatePort, validateTimeout } from "./text";

type Form = { host: string; port: string; timeout: string; batch: string; structured: StructuredMode };
/** The text fields (each validated, each with an input to put the cursor in). */
type FieldName = Exclude<keyof Form, "structured">;

const toForm = (c: OllamaConfig): Form => ({
  host: c.base_url,
  port: String(c.port),
  timeout: String(c.timeout_s),
  batch: String(c.batch_size),
  structured: c.structured_output ?? "auto",
});

/** Which form field an `invalid_config` error's `field` is about. */
const FIELD_OF: Record<string, FieldName> = {
  base_url: "host",
  port: "port",
  timeout_s: "timeout",
  batch_size: "batch",
};

export function OllamaPanel(props: PanelProps) {
  const { mode, item } = props;
  const saved = mode === "edit" && item ? ollamaConfigOf(item.config) : DEFAULT_OLLAMA;
  const [baseline, setBaseline] = useState<Form>(() => toForm(saved));
  const [form, setFormState] = useState<Form>(() => {
    const d = loadDraft("ollama", mode);
    return d ? { ...toForm(saved), ...d } : toForm(saved);
  });
  const [serverErrors, setServerErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [test, setTest] = useState<TestOutcome>(null);
  const save = useSaveProvider();
  const tester = useTestConnection();
  const hostRef = useRef<HTMLInputElement>(null);
  const portRef = useRef<HTMLInputElement>(null);
  const timeoutRef = useRef<HTMLInputElement>(null);
  const batchRef = useRef<HTMLInputElement>(null);
  /** The input of a field (used in handlers only). */
  const inputOf = (name: FieldName) => ({ host: hostRef, port: portRef, timeout: timeoutRef, batch: batchRef })[name].current;

  const set = (name: keyof Form) => (v: string) => {
    setFormState((f) => {
      const next = { ...f, [name]: v };
      saveDraft("ollama", mode, next);
      return next;
    });
    setServerErrors((e) => ({ ...e, [name]: undefined }));
  };

  const clientErrors: Record<FieldName, string | null> = {
    host: validateOllamaHost(form.host),
    port: validatePort(form.port),
    timeout: validateTimeout(form.timeout),
    batch: validateBatch(form.batch),
  };
  const errorFor = (name: FieldName) => clientErrors[name] ?? serverErrors[name] ?? null;
  const dirty = (Object.keys(form) as (keyof Form)[]).some((k) => form[k] !== baseline[k]);

  const config = (): OllamaConfig => ({
    ...saved,
    base_url: form.host.trim(),
    port: Number(form.port.trim()),
    timeout_s: Number(form.timeout.trim()),
    batch_size: Number(form.batch.trim()),
    structured_output: form.structured,
  });

  /** False (and the cursor on the first bad field) when a field is invalid. */
  const checkFields = (): boolean => {
    const bad = (Object.keys(clientErrors) as FieldName[]).find((k) => clientErrors[k]);
    if (bad) {
      inputOf(bad)?.focus();
      return false;
    }
    return true;
  };

  const applyFieldError = (err: unknown): boolean => {
    const fe = fieldError(err);
    const name = fe ? FIELD_OF[fe.field] : undefined;
    if (!fe || !name) return false;
    setServerErrors((e) => ({ ...e, [name]: fe.message }));
    inputOf(name)?.focus();
    return true;
  };

  const onTest = () => {
    if (!checkFields()) return;
    setTest(null);
    tester.mutate(
      { provider: "ollama", config: config(), apiKey: null },
      {
        onSuccess: (result) => setTest({ kind: "result", result }),
        onError: (error) => {
          if (!applyFieldError(error)) setTest({ kind: "failed", error });
        },
      },
    );
  };

  const onSave = () => {
    if (mode === "edit" && !dirty) return;
    if (!checkFields()) return;
    save.mutate(
      { provider: "ollama", config: config(), apiKey: null },
      {
        onSuccess: (saved) => {
          const f = toForm(ollamaConfigOf(saved.config));
          setBaseline(f);
          setFormState(f);
          clearDraft("ollama", mode);
          if (mode === "edit") toast("Ollama settings saved.", "success");
          props.onSaved(saved, mode === "setup");
        },
        onError: (err) => {
          if (!applyFieldError(err)) toast(`Ollama settings were not saved: ${errorSentence(err)}`, "error");
        },
      },
    );
  };

  const endpoint = `${form.host.trim().replace(/\/+$/, "")}:${form.port.trim()}`;

  return (
    <PanelFrame
      props={props}
      subtitle={
        mode === "setup"
          ? "Local models on your computer or your network. Nothing is saved until you press Save."
          : "Local models on your computer or your network."
      }
    >
      <h3 className="pv-h3">Connection</h3>
      {mode === "edit" ? (
        <HealthLine endpoint={`${saved.base_url}:${saved.port}`} />
      ) : (
        <p className="pv-health muted">Not connected yet — use Test connection, or Save to connect.</p>
      )}
      <div className="pv-row">
        <Field
          label="Host"
          className="pv-grow"
          value={form.host}
          onChange={set("host")}
          error={errorFor("host")}
          placeholder="http://localhost"
          inputMode="url"
          inputRef={hostRef}
          onEnter={onSave}
        />
        <Field
          label="Port"
          className="pv-narrow"
          value={form.port}
          onChange={set("port")}
          error={errorFor("port")}
          placeholder="11434"
          inputMode="numeric"
          inputRef={portRef}
          onEnter={onSave}
        />
      </div>
      <div className="pv-row">
        <Field
          label="Timeout (seconds)"
          className="pv-narrow"
          value={form.timeout}
          onChange={set("timeout")}
          error={errorFor("timeout")}
          inputMode="numeric"
          inputRef={timeoutRef}
          description="How long to wait for an answer (1–300). Local models can be slow."
          onEnter={onSave}
        />
        <Field
          label="Batch size"
          className="pv-narrow"
          value={form.batch}
          onChange={set("batch")}
          error={errorFor("batch")}
          inputMode="numeric"
          inputRef={batchRef}
          description="Articles per request (1–10). Local models are slower — keep this low."
          onEnter={onSave}
        />
      </div>
      <StructuredOutputField
        id="ollama"
        value={form.structured}
        onChange={set("structured")}
        detected={saved.structured_output_detected}
      />
      <PanelActions
        props={props}
        onTest={onTest}
        testing={tester.isPending}
        onSave={onSave}
        saving={save.isPending}
        canSave={mode === "setup" || dirty}
      />
      <TestResult outcome={test} label="Ollama" endpoint={endpoint} />
      {mode === "edit" && <OllamaLibrary routes={props.routes} />}
    </PanelFrame>
  );
}

function HealthLine({ endpoint }: { endpoint: string }) {
  const health = useProviderHealth("ollama", true);
  const h = health.data;
  let words = "Checking…";
  let tone = "checking";
  if (h?.ok) {
    words = connectedWords(h);
    tone = "ok";
  } else if (h) {
    words = `Not reachable at ${endpoint} — is Ollama running?`;
    tone = "down";
  } else if (health.isError) {
    words = `Status unknown — ${errorSentence(health.error)}`;
    tone = "warn";
  }
  return (
    <p className="pv-health" data-tone={tone}>
      <span className="pv-dot" aria-hidden="true" />
      {words}
    </p>
  );
}
