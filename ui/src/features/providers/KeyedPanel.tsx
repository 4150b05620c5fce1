import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { Button } from "react-aria-components";
import type { KeyStoreKind } from "../../bindings";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Skeleton } from "../../components/QueryState";
import { toast } from "../../components/toast";
import { errorSentence } from "../../lib/errors";
import { CommandError } from "../../lib/ipc";
import { DEFAULT_KEYED, keyedConfigOf, PROVIDERS, type KeyedConfig } from "./config";
import type { StructuredMode } from "../../bindings";
import { removeKeyCommand } from "./endpoint";
import { exposureOf, isExposed, sameExposure, type Exposure } from "./exposure";
import { Field, StructuredOutputField } from "./fields";
import { PanelActions, PanelFrame, tasksUsing, type PanelProps } from "./PanelFrame";
import { endpointQuery, keyStoreQuery, providerKindsQuery, useRemoveKey } from "./queries";
import { TestResult } from "./TestResult";
import {
  asSentence,
  joinTasks,
  stripField,
  validateApiKey,
  validateBatch,
  validateKeyedBaseUrl,
  validateTimeout,
} from "./text";
import { usePanelForm } from "./usePanelForm";

// The catalog (and its virtualizer) is only needed once a saved connection is edited.
const ExposedModels = lazy(() => import("./ExposedModels").then((m) => ({ default: m.ExposedModels })));

type Form = { baseUrl: string; timeout: string; batch: string; structured: StructuredMode };
type FieldName = "baseUrl" | "timeout" | "batch" | "apiKey";

const toForm = (c: KeyedConfig): Form => ({
  baseUrl: c.base_url ?? "",
  timeout: String(c.timeout_s),
  batch: String(c.batch_size),
  structured: c.structured_output ?? "auto",
});

/** The fields, in the order the cursor visits them. */
const FIELDS: readonly FieldName[] = ["apiKey", "baseUrl", "timeout", "batch"];

const FIELD_OF: Record<string, FieldName> = {
  base_url: "baseUrl",
  timeout_s: "timeout",
  batch_size: "batch",
  api_key: "apiKey",
};

export const KEY_STORE_WORDS: Record<KeyStoreKind, string> = {
  keychain: "stored in the keychain",
  file: "stored in a file beside the database",
};

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** OpenAI, Anthropic, Google Gemini, OpenRouter: key, base URL, timeout, batch, exposed models. */
export function KeyedPanel(props: PanelProps) {
  const { provider, mode, item } = props;
  const meta = PROVIDERS[provider];
  const label = meta.label;
  const kinds = useQuery(providerKindsQuery());
  const keyStore = useQuery(keyStoreQuery());
  const defaultBase = kinds.data?.find((k) => k.provider === provider)?.default_base_url ?? meta.defaultBaseUrl;
  const saved: KeyedConfig = mode === "edit" && item ? keyedConfigOf(item.config) : DEFAULT_KEYED;

  const [apiKey, setApiKey] = useState("");
  const [savedExposure, setSavedExposure] = useState<Exposure>(() => exposureOf(saved.selected_models));
  const [exposure, setExposure] = useState<Exposure>(savedExposure);
  const [confirmHide, setConfirmHide] = useState<string[] | null>(null);
  const [confirmRemoveKey, setConfirmRemoveKey] = useState(false);
  const removeKey = useRemoveKey();
  const apiKeyRef = useRef<HTMLInputElement>(null);
  const baseUrlRef = useRef<HTMLInputElement>(null);
  const timeoutRef = useRef<HTMLInputElement>(null);
  const batchRef = useRef<HTMLInputElement>(null);
  /** The input of a field (used in handlers only). */
  const inputOf = (name: FieldName) => ({ apiKey: apiKeyRef, baseUrl: baseUrlRef, timeout: timeoutRef, batch: batchRef })[name].current;
  const { form, set, formDirty, serverErrors, clearServerError, test, testing, saving, checkFields, runTest, runSave } =
    usePanelForm<Form, FieldName>({ provider, mode, label, initial: toForm(saved), fieldOf: FIELD_OF, inputOf });

  const hasKey = mode === "edit" && !!item?.has_key;

  // Live preview of the exact URL listing models requests (the core's one rule).
  const typedBase = useDebounced(form.baseUrl.trim(), 250);
  const clientBaseError = validateKeyedBaseUrl(form.baseUrl);
  const preview = useQuery({
    ...endpointQuery(provider, typedBase || null),
    enabled: !validateKeyedBaseUrl(typedBase),
    placeholderData: keepPreviousData,
  });
  const previewError =
    preview.error instanceof CommandError && preview.error.code === "invalid_config" && typedBase === form.baseUrl.trim()
      ? asSentence(stripField(preview.error.message))
      : null;

  const clientErrors: Record<FieldName, string | null> = {
    apiKey: validateApiKey(apiKey, mode === "setup" || !hasKey),
    baseUrl: clientBaseError,
    timeout: validateTimeout(form.timeout),
    batch: validateBatch(form.batch),
  };
  // "Enter the API key" only once the user tries to test or save.
  const [triedKey, setTriedKey] = useState(false);
  const errorFor = (name: FieldName) => {
    if (name === "apiKey" && !apiKey.trim() && !triedKey) return serverErrors.apiKey ?? null;
    return clientErrors[name] ?? (name === "baseUrl" ? previewError : null) ?? serverErrors[name] ?? null;
  };

  const exposureDirty = !sameExposure(exposure, savedExposure);
  const dirty = formDirty || apiKey.trim() !== "" || exposureDirty;

  const config = (): KeyedConfig => ({
    base_url: form.baseUrl.trim() || null,
    selected_models: [...exposure],
    timeout_s: Number(form.timeout.trim()),
    batch_size: Number(form.batch.trim()),
    structured_output: form.structured,
  });

  const fieldsOk = (needKey: boolean): boolean => {
    setTriedKey(true);
    return checkFields(FIELDS, (k) => (k === "apiKey" ? validateApiKey(apiKey, needKey) : clientErrors[k]));
  };

  const onTest = () => {
    if (!fieldsOk(!hasKey)) return;
    runTest(config(), apiKey.trim() || null);
  };

  /** Tasks routed to a model this save would stop exposing. */
  const tasksLosingModel = (): string[] =>
    (props.routes ?? [])
      .filter(
        (r) =>
          r.provider === provider &&
          r.model &&
          isExposed(savedExposure, r.model) &&
          !isExposed(exposure, r.model),
      )
      .map((r) => r.task);

  const onSave = () => {
    if (mode === "edit" && !dirty) return;
    if (!fieldsOk(!hasKey)) return;
    const losing = tasksLosingModel();
    if (losing.length > 0) {
      setConfirmHide(losing);
      return;
    }
    doSave();
  };

  const doSave = () => {
    setConfirmHide(null);
    const sentKey = apiKey.trim() || null;
    runSave(
      config(),
      sentKey,
      (result) => toForm(keyedConfigOf(result.config)),
      (result) => {
        // The key field never holds a saved key.
        setApiKey("");
        setTriedKey(false);
        const e = exposureOf(keyedConfigOf(result.config).selected_models);
        setSavedExposure(e);
        setExposure(e);
        const where = result.key_store ? ` The API key is ${KEY_STORE_WORDS[result.key_store]}.` : "";
        if (mode === "edit") toast(`${label} settings saved.${sentKey ? where : ""}`, "success");
        props.onSaved(result, mode === "setup");
      },
    );
  };

  const onRemoveKey = () => {
    setConfirmRemoveKey(false);
    removeKey.mutate(provider, {
      onSuccess: () => toast(`The ${label} API key was removed.`, "success"),
      onError: (err) => toast(`The ${label} API key was not removed: ${errorSentence(err)}`, "error"),
    });
  };

  const routed = tasksUsing(props.routes, provider);
  const modelsUrl = preview.data?.models_url;

  return (
    <PanelFrame
      props={props}
      subtitle={mode === "setup" ? "Requires an API key. Nothing is saved until you press Save." : "Requires an API key."}
    >
      <h3 className="pv-h3">Connection</h3>
      {mode === "edit" && item && (
        <div className="pv-key">
          {item.has_key ? (
            <p className="pv-key-line">
              •••• {item.key_last4 ?? ""} —{" "}
              {item.key_store ? KEY_STORE_WORDS[item.key_store] : "stored"}
            </p>
          ) : (
            <p className="pv-key-line pv-warn">No API key is stored. Enter one to connect.</p>
          )}
          {item.has_key && (
            <>
              <Button className="button small" onPress={() => apiKeyRef.current?.focus()}>
                Replace
              </Button>
              {removeKeyCommand() && (
                <Button className="button danger-subtle small" onPress={() => setConfirmRemoveKey(true)}>
                  Remove
                </Button>
              )}
            </>
          )}
        </div>
      )}
      <Field
        label="API key"
        type="password"
        value={apiKey}
        onChange={(v) => {
          setApiKey(v);
          clearServerError("apiKey");
        }}
        error={errorFor("apiKey")}
        placeholder={hasKey ? "Enter a new key to replace the stored one" : `Paste your ${label} API key`}
        description={
          hasKey
            ? "Leave empty to keep the stored key."
            : keyStore.data === "file"
              ? "Kept in a file beside the database that only you can read; never shown again."
              : keyStore.data === "keychain"
                ? "Kept in the system keychain; never shown again."
                : "Never shown again once saved."
        }
        inputRef={apiKeyRef}
        onEnter={onSave}
      />
      <Field
        label="Base URL"
        value={form.baseUrl}
        onChange={set("baseUrl")}
        error={errorFor("baseUrl")}
        placeholder={defaultBase}
        inputMode="url"
        inputRef={baseUrlRef}
        description={
          <>
            Leave empty for {label}’s own API.
            {modelsUrl && !errorFor("baseUrl") && (
              <>
                {" "}
                Models are listed from <code className="pv-url">{modelsUrl}</code>
              </>
            )}
          </>
        }
        onEnter={onSave}
      />
      <div className="pv-row">
        <Field
          label="Timeout (seconds)"
          className="pv-narrow"
          value={form.timeout}
          onChange={set("timeout")}
          error={errorFor("timeout")}
          inputMode="numeric"
          inputRef={timeoutRef}
          description="How long to wait for an answer (1–300)."
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
          description="Articles per request (1–10). Higher is faster but uses more API quota."
          onEnter={onSave}
        />
      </div>
      {provider === "openai" && (
        <StructuredOutputField
          id={provider}
          value={form.structured}
          onChange={set("structured")}
          detected={saved.structured_output_detected}
        />
      )}
      <PanelActions
        props={props}
        onTest={onTest}
        testing={testing}
        onSave={onSave}
        saving={saving}
        canSave={mode === "setup" || dirty}
      />
      <TestResult outcome={test} label={label} endpoint={modelsUrl} />
      {mode === "edit" && (
        <Suspense fallback={<Skeleton lines={4} />}>
          <ExposedModels
            provider={provider}
            label={label}
            canList={!!item?.has_key}
            exposure={exposure}
            onChange={setExposure}
          />
        </Suspense>
      )}
      {mode === "edit" && exposureDirty && (
        <p className="field-help">Changes to the exposed models are kept when you press Save.</p>
      )}

      <ConfirmDialog
        isOpen={confirmHide !== null}
        title="Hide a model in use?"
        confirmLabel="Save"
        onConfirm={doSave}
        onCancel={() => setConfirmHide(null)}
      >
        <p>
          <strong>{joinTasks(confirmHide ?? [])}</strong> {(confirmHide ?? []).length === 1 ? "uses" : "use"} a model
          this change hides. {(confirmHide ?? []).length === 1 ? "It pauses" : "They pause"} until you choose another
          model or expose it again.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        isOpen={confirmRemoveKey}
        title={`Remove the ${label} API key?`}
        confirmLabel="Remove"
        destructive
        onConfirm={onRemoveKey}
        onCancel={() => setConfirmRemoveKey(false)}
      >
        <p>The key is deleted from where it is stored. The other {label} settings stay.</p>
        {routed.length > 0 && (
          <p>
            <strong>{joinTasks(routed)}</strong> {routed.length === 1 ? "uses" : "use"} {label} and will pause until you
            enter a key again.
          </p>
        )}
      </ConfirmDialog>
    </PanelFrame>
  );
}
