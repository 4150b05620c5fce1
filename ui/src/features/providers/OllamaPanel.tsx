import { useRef } from "react";
import { toast } from "../../components/toast";
import { errorSentence } from "../../lib/errors";
import type { StructuredMode } from "../../bindings";
import { DEFAULT_OLLAMA, ollamaConfigOf, type OllamaConfig } from "./config";
import { Field, StructuredOutputField } from "./fields";
import { OllamaLibrary } from "./OllamaLibrary";
import { PanelActions, PanelFrame, type PanelProps } from "./PanelFrame";
import { connectedWords } from "./ProviderCard";
import { useProviderHealth } from "./queries";
import { TestResult } from "./TestResult";
import { usePanelForm } from "./usePanelForm";
import { validateBatch, validateOllamaHost, validatePort, validateTimeout } from "./text";

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

/** The text fields, in the order the cursor visits them. */
const FIELDS: readonly FieldName[] = ["host", "port", "timeout", "batch"];

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
  const hostRef = useRef<HTMLInputElement>(null);
  const portRef = useRef<HTMLInputElement>(null);
  const timeoutRef = useRef<HTMLInputElement>(null);
  const batchRef = useRef<HTMLInputElement>(null);
  /** The input of a field (used in handlers only). */
  const inputOf = (name: FieldName) => ({ host: hostRef, port: portRef, timeout: timeoutRef, batch: batchRef })[name].current;
  const { form, set, formDirty: dirty, serverErrors, test, testing, saving, checkFields, runTest, runSave } =
    usePanelForm<Form, FieldName>({
      provider: "ollama",
      mode,
      label: "Ollama",
      initial: toForm(saved),
      fieldOf: FIELD_OF,
      inputOf,
    });

  const clientErrors: Record<FieldName, string | null> = {
    host: validateOllamaHost(form.host),
    port: validatePort(form.port),
    timeout: validateTimeout(form.timeout),
    batch: validateBatch(form.batch),
  };
  const errorFor = (name: FieldName) => clientErrors[name] ?? serverErrors[name] ?? null;
  const fieldsOk = () => checkFields(FIELDS, (k) => clientErrors[k]);

  const config = (): OllamaConfig => ({
    ...saved,
    base_url: form.host.trim(),
    port: Number(form.port.trim()),
    timeout_s: Number(form.timeout.trim()),
    batch_size: Number(form.batch.trim()),
    structured_output: form.structured,
  });

  const onTest = () => {
    if (!fieldsOk()) return;
    runTest(config(), null);
  };

  const onSave = () => {
    if (mode === "edit" && !dirty) return;
    if (!fieldsOk()) return;
    runSave(
      config(),
      null,
      (s) => toForm(ollamaConfigOf(s.config)),
      (s) => {
        if (mode === "edit") toast("Ollama settings saved.", "success");
        props.onSaved(s, mode === "setup");
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
        testing={testing}
        onSave={onSave}
        saving={saving}
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
