import { useState } from "react";
import type { ProviderItem } from "../../bindings";
import { toast } from "../../components/toast";
import { errorSentence } from "../../lib/errors";
import type { ProviderConfig, ProviderId } from "./config";
import { useSaveProvider, useTestConnection } from "./queries";
import { clearDraft, loadDraft, saveDraft } from "./session";
import type { TestOutcome } from "./TestResult";
import { fieldError } from "./text";

type Options<F extends Record<string, string>, N extends string> = {
  provider: ProviderId;
  mode: "setup" | "edit";
  /** The panel's name in messages ("Ollama", "OpenAI"). */
  label: string;
  /** The saved config as form values (the defaults in setup mode). */
  initial: F;
  /** Which form field an `invalid_config` error's `field` is about. */
  fieldOf: Record<string, N>;
  /** The input of a field (called in handlers only). */
  inputOf: (name: N) => HTMLInputElement | null;
};

/**
 * What the provider panels share: the form values (kept as a draft while the user
 * visits other sections), errors the core returns for a field, Test connection and
 * Save. The panel keeps its own fields, checks and what a save means beyond the form.
 */
export function usePanelForm<F extends Record<string, string>, N extends string>({
  provider,
  mode,
  label,
  initial,
  fieldOf,
  inputOf,
}: Options<F, N>) {
  const [baseline, setBaseline] = useState<F>(initial);
  const [form, setFormState] = useState<F>(() => {
    const d = loadDraft(provider, mode);
    return d ? { ...initial, ...d } : initial;
  });
  const [serverErrors, setServerErrors] = useState<Partial<Record<N, string>>>({});
  const [test, setTest] = useState<TestOutcome>(null);
  const save = useSaveProvider();
  const tester = useTestConnection();

  /** A change to one value: kept as a draft, and its server error is dropped. */
  const set = (name: keyof F) => (v: string) => {
    setFormState((f) => {
      const next = { ...f, [name]: v };
      saveDraft(provider, mode, next);
      return next;
    });
    setServerErrors((e) => ({ ...e, [name]: undefined }));
  };

  /** Drops the core's error under a field that is not a form value (an API key). */
  const clearServerError = (name: N) => setServerErrors((e) => ({ ...e, [name]: undefined }));

  const formDirty = (Object.keys(form) as (keyof F)[]).some((k) => form[k] !== baseline[k]);

  /** False, with the cursor on the first bad field of `order`, when one is invalid. */
  const checkFields = (order: readonly N[], errorOf: (name: N) => string | null | undefined): boolean => {
    const bad = order.find((k) => errorOf(k));
    if (bad) {
      inputOf(bad)?.focus();
      return false;
    }
    return true;
  };

  /** An `invalid_config` error about a field goes under it (true); anything else is the caller's. */
  const applyFieldError = (err: unknown): boolean => {
    const fe = fieldError(err);
    const name = fe ? fieldOf[fe.field] : undefined;
    if (!fe || !name) return false;
    setServerErrors((e) => ({ ...e, [name]: fe.message }));
    inputOf(name)?.focus();
    return true;
  };

  /** Test connection with these settings (nothing is saved). */
  const runTest = (config: ProviderConfig, apiKey: string | null) => {
    setTest(null);
    tester.mutate(
      { provider, config, apiKey },
      {
        onSuccess: (result) => setTest({ kind: "result", result }),
        onError: (error) => {
          if (!applyFieldError(error)) setTest({ kind: "failed", error });
        },
      },
    );
  };

  /**
   * Save; on success the form becomes the saved config (`formOf`), the draft is dropped
   * and `onSaved` does the rest. A failure lands under its field, or in a toast.
   */
  const runSave = (
    config: ProviderConfig,
    apiKey: string | null,
    formOf: (saved: ProviderItem) => F,
    onSaved: (saved: ProviderItem) => void,
  ) => {
    save.mutate(
      { provider, config, apiKey },
      {
        onSuccess: (saved) => {
          const f = formOf(saved);
          setBaseline(f);
          setFormState(f);
          clearDraft(provider, mode);
          onSaved(saved);
        },
        onError: (err) => {
          if (!applyFieldError(err)) toast(`${label} settings were not saved: ${errorSentence(err)}`, "error");
        },
      },
    );
  };

  return {
    form,
    set,
    formDirty,
    serverErrors,
    clearServerError,
    test,
    testing: tester.isPending,
    saving: save.isPending,
    checkFields,
    runTest,
    runSave,
  };
}
