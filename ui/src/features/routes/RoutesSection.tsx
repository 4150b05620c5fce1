import { useEffect, useMemo, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Button, Group, Input, Label, NumberField, Switch, Text } from "react-aria-components";
import type { Fallback, RescoreProgress, RescoreResult, Task, TaskRoutes } from "../../bindings";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { useKeepFocusWhenDisabled } from "../../components/focus";
import { ErrorState, Skeleton } from "../../components/QueryState";
import { toast } from "../../components/toast";
import { errorSentence } from "../../lib/errors";
import { setLeaveGuard, useNav } from "../../lib/nav";
import { loadingProviders, useModels } from "../../lib/models";
import {
  providerKindsQuery,
  providerName,
  providersQuery,
  taskReadinessQuery,
  routesQuery,
} from "../../lib/queries";
import { brokenRoute, routeKey, splitKey, type SavedChoice } from "./model";
import { ModelPicker, type ProviderGroup } from "./ModelPicker";
import { useProviderHealth } from "../providers/queries";
import { ReadinessLine } from "./Readiness";
import { useCancelRescore, useRescore, useSaveRoutes } from "./queries";
import { QueueCounts, RouteTestButton } from "./Queue";

type Form = {
  separate: boolean;
  cat: string | null;
  scoring: string | null;
  catBatch: number | null;
  scoringBatch: number | null;
  /** Fallback models (`provider:model`), or null: off by default. */
  catFallback: string | null;
  scoringFallback: string | null;
};

function fromServer(r: TaskRoutes): Form {
  const find = (t: Task) => r.routes.find((x) => x.task === t);
  const key = (t: Task) => {
    const x = find(t);
    return x?.model ? routeKey(x.provider, x.model) : null;
  };
  return {
    separate: r.use_separate_models,
    cat: key("categorization"),
    scoring: key("scoring"),
    catBatch: find("categorization")?.batch_size ?? null,
    scoringBatch: find("scoring")?.batch_size ?? null,
    catFallback: fallbackKey(find("categorization")?.fallback),
    scoringFallback: fallbackKey(find("scoring")?.fallback),
  };
}

const fallbackKey = (f: Fallback | null | undefined) => (f ? routeKey(f.provider, f.model) : null);
const fallbackOf = (key: string | null): Fallback | null => (key ? splitKey(key) : null);

const FIELDS: (keyof Form)[] = ["separate", "cat", "scoring", "catBatch", "scoringBatch", "catFallback", "scoringFallback"];

const RESCORE_HINT = "Saves, then re-queues recent articles for categorization and scoring with the saved models.";

/** The toast that ends a rescore. */
function rescoreMessage(r: RescoreResult): string {
  if (r.queued === 0 && r.skipped_running === 0) return "Nothing to rescore: there are no recent unread articles.";
  const failed = r.failed > 0 ? `, ${r.failed} failed` : "";
  const skipped =
    r.skipped_running > 0
      ? ` ${r.skipped_running} ${r.skipped_running === 1 ? "article was" : "articles were"} already being processed and kept their run.`
      : "";
  const head = r.cancelled
    ? `Rescore cancelled: ${r.done} of ${r.queued} articles done${failed}; the rest were taken off the queue.`
    : `Rescore finished: ${r.done} of ${r.queued} articles done${failed}.`;
  return head + skipped;
}

/** Which model each task uses, its batch size, and whether each task can run. */
export function RoutesSection() {
  const routes = useQuery(routesQuery());
  // Shown as each provider answers: a hanging provider does not hold back the others.
  const models = useModels();
  const providers = useQuery(providersQuery());
  const kinds = useQuery(providerKindsQuery());
  const save = useSaveRoutes();
  const [progress, setProgress] = useState<RescoreProgress | null>(null);
  const rescore = useRescore(setProgress);
  const cancel = useCancelRescore();
  const { intent, clearIntent } = useNav();

  const [draft, setDraft] = useState<Partial<Form>>({});
  const [pendingLeave, setPendingLeave] = useState<(() => void) | null>(null);
  const modelRef = useRef<HTMLInputElement>(null);
  const catRef = useRef<HTMLInputElement>(null);
  const scoringRef = useRef<HTMLInputElement>(null);
  const saveRef = useRef<HTMLButtonElement>(null);
  const rescoreRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);

  const name = (id: string) => providerName(kinds.data, id);
  const server = routes.data ? fromServer(routes.data) : null;
  const form: Form | null = server ? { ...server, ...draft } : null;
  const dirty = !!(server && form && FIELDS.some((f) => form[f] !== server[f]));
  const complete = !!(form?.cat && (form.separate ? form.scoring : true));

  // Leaving the section with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    setLeaveGuard((proceed) => {
      setPendingLeave(() => proceed);
      return true;
    });
    return () => setLeaveGuard(null);
  }, [dirty]);

  const focusPicker = (task: Task) => {
    const sep = form?.separate ?? false;
    const el = !sep ? modelRef.current : task === "categorization" ? catRef.current : scoringRef.current;
    el?.focus();
  };

  // "Choose a model" from elsewhere (a readiness fix in another section) lands here.
  const loaded = routes.isSuccess && models.isSuccess;
  useEffect(() => {
    if (!loaded || intent?.kind !== "focus_model") return;
    const task = intent.task;
    clearIntent();
    requestAnimationFrame(() => focusPicker(task));
    // focusPicker reads refs only; running again for a new intent is enough.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loaded, intent, clearIntent]);

  const offered = models.data;
  const groups: ProviderGroup[] = useMemo(() => {
    if (!offered) return [];
    return offered.providers
      .map((p) => ({
        provider: p.provider,
        name: providerName(kinds.data, p.provider),
        models: offered.models.filter((m) => m.provider === p.provider),
      }))
      .filter((g) => g.models.length > 0);
  }, [offered, kinds.data]);

  const modelCount = models.data?.models.length ?? 0;
  const waitingFor = loadingProviders(models.data).map((p) => providerName(kinds.data, p));

  // The providers the saved routes use, when enabled: their health is polled while this
  // section is open, so readiness follows a provider that stops (or starts) answering.
  const watched = useMemo(() => {
    const used = new Set((routes.data?.routes ?? []).map((r) => r.provider));
    return (providers.data ?? []).filter((p) => p.enabled && used.has(p.provider)).map((p) => p.provider);
  }, [routes.data, providers.data]);

  // Once saved, Save turns disabled; the focus goes to the section's title, not the page.
  useKeepFocusWhenDisabled(saveRef, !dirty || !complete, () => titleRef.current);
  const busy = save.isPending || rescore.isPending;
  // While it runs, "Save and rescore" is disabled: the focus goes to its Cancel.
  useKeepFocusWhenDisabled(rescoreRef, busy || !complete, () => cancelRef.current ?? titleRef.current);

  const update = (patch: Partial<Form>) => setDraft((d) => ({ ...d, ...patch }));

  const onSwitch = (on: boolean) => {
    if (!form) return;
    // On copies nothing (scoring keeps its value); off makes scoring follow categorization.
    update(on ? { separate: true } : { separate: false, scoring: form.cat });
  };

  const onCat = (key: string) => {
    if (!form) return;
    update(form.separate ? { cat: key } : { cat: key, scoring: key });
  };

  const saveInput = () => {
    if (!form?.cat) return null;
    const cat = splitKey(form.cat);
    const sc = form.separate && form.scoring ? splitKey(form.scoring) : cat;
    return {
      categorization: {
        provider: cat.provider,
        model: cat.model,
        batch_size: form.catBatch,
        fallback: fallbackOf(form.catFallback),
      },
      scoring: {
        provider: sc.provider,
        model: sc.model,
        batch_size: form.scoringBatch,
        fallback: fallbackOf(form.scoringFallback),
      },
      use_separate_models: form.separate,
    };
  };

  const onSaveAndRescore = async () => {
    const input = saveInput();
    if (!input || busy) return;
    // Unsaved changes are saved first (as Save does); a failed save starts no rescore.
    if (dirty) {
      try {
        await save.mutateAsync(input);
        setDraft({});
      } catch (e) {
        toast(errorSentence(e), "error");
        return;
      }
    }
    setProgress(null);
    rescore.mutate(undefined, {
      onSuccess: (r) => toast(rescoreMessage(r), r.failed > 0 ? "error" : r.cancelled ? "info" : "success"),
      onError: (e) => toast(errorSentence(e), "error"),
      onSettled: () => setProgress(null),
    });
  };

  const onCancelRescore = () =>
    cancel.mutate(undefined, { onError: (e) => toast(errorSentence(e), "error") });

  const onSave = () => {
    const input = saveInput();
    if (!input) return;
    save.mutate(
      input,
      {
        onSuccess: () => {
          setDraft({});
          toast("Task routes saved.", "success");
        },
        onError: (e) => toast(errorSentence(e), "error"),
      },
    );
  };

  const find = (t: Task) => routes.data?.routes.find((r) => r.task === t);
  const brokenCat = models.data ? brokenRoute(find("categorization"), models.data, providers.data, name) : null;
  const brokenScoring = models.data ? brokenRoute(find("scoring"), models.data, providers.data, name) : null;
  const brokenFallback = (t: Task) => {
    const f = find(t)?.fallback;
    if (!f || !models.data) return null;
    return brokenRoute({ task: t, provider: f.provider, model: f.model, batch_size: null, fallback: null }, models.data, providers.data, name);
  };
  const brokenCatFallback = brokenFallback("categorization");
  const brokenScoringFallback = brokenFallback("scoring");
  const savedModel = (t: Task) => !!find(t)?.model;
  const fallbackPicker = (t: Task) => {
    const field = t === "categorization" ? "catFallback" : "scoringFallback";
    const value = form?.[field] ?? null;
    const broken = t === "categorization" ? brokenCatFallback : brokenScoringFallback;
    const title = t === "categorization" ? "Categorization" : "Scoring";
    return (
      <div className="fallback-field">
        <ModelPicker
          label={`${title} fallback model`}
          value={value}
          onChange={(k) => update({ [field]: k })}
          groups={groups}
          broken={broken}
          description={
            broken && value === broken.key && !broken.loading
              ? "Choose another fallback model, or remove it."
              : "Optional. Used only when the primary model times out, is refused or its provider fails (5xx, 429, 529)."
          }
        />
        <Button
          className="button"
          aria-label={`No fallback for ${t}`}
          isDisabled={value === null}
          onPress={() => update({ [field]: null })}
        >
          No fallback
        </Button>
      </div>
    );
  };
  const testButton = (t: Task) => (
    <RouteTestButton task={t} disabled={!savedModel(t) || busy} />
  );

  const waitingNote = waitingFor.length > 0 ? `Still waiting for ${joinNames(waitingFor)} to list models.` : undefined;
  const pickerNote = (b: SavedChoice | null, value: string | null) =>
    b && value === b.key && !b.loading
      ? "Choose another model, or make this one available again in Providers."
      : waitingNote
        ? waitingNote
        : modelCount === 0
          ? "No models are offered yet: add a provider, or expose models in its panel."
          : undefined;

  const provOf = (key: string | null) => (key ? splitKey(key).provider : null);
  const batchHelp = (task: Task, key: string | null) => {
    const verb = task === "categorization" ? "categorized" : "scored";
    const advice =
      provOf(key) === "ollama"
        ? "Local models are slower — keep this low."
        : "Higher = faster but uses more API quota.";
    return `Articles ${verb} per cycle, 1–10. ${advice} Empty uses the provider's batch size.`;
  };

  const switchHelp = !form
    ? ""
    : form.separate
      ? "Categorization and scoring each use their own model."
      : modelCount < 2 && waitingNote
        ? `Separate models need at least two models to choose from. ${waitingNote}`
        : modelCount < 2
        ? "Separate models need at least two models to choose from: add a provider, or expose or download another model."
        : "One model handles both categorization and scoring.";

  const bothLocal = form?.separate && provOf(form.cat) === "ollama" && provOf(form.scoring) === "ollama";

  return (
    <section className="pane" aria-labelledby="routes-title">
      {watched.map((p) => (
        <HealthWatch key={p} provider={p} />
      ))}
      <h1 id="routes-title" ref={titleRef} tabIndex={-1}>
        Task routes
      </h1>

      <div className="card">
        <h2>Models</h2>
        {(routes.isPending || models.isPending) && !(routes.isError || models.isError) && (
          <div className="skeleton" role="status" aria-label="Loading" aria-busy="true">
            <span className="skeleton-line" style={{ width: "40%" }} />
            <span className="skeleton-line skeleton-field" />
            <span className="skeleton-line skeleton-field" style={{ width: "30%" }} />
          </div>
        )}
        {(routes.isError || models.isError) && (
          <ErrorState
            error={routes.error ?? models.error}
            onRetry={() => {
              if (routes.isError) void routes.refetch();
              if (models.isError) void models.refetch();
            }}
          />
        )}
        {form && models.data && (
          <>
            <div className="field">
              <Switch
                className="switch"
                isSelected={form.separate}
                onChange={onSwitch}
                isDisabled={!form.separate && modelCount < 2}
                aria-describedby="separate-help"
              >
                <span className="switch-track">
                  <span className="switch-thumb" />
                </span>
                Use separate models
              </Switch>
              <span id="separate-help" className="field-help">
                {switchHelp}
              </span>
            </div>

            {form.separate ? (
              <div className="row">
                <div className="route-column">
                  <ModelPicker
                    label="Categorization model"
                    value={form.cat}
                    onChange={onCat}
                    groups={groups}
                    broken={brokenCat}
                    inputRef={catRef}
                    description={pickerNote(brokenCat, form.cat)}
                  />
                  {testButton("categorization")}
                  {fallbackPicker("categorization")}
                </div>
                <div className="route-column">
                  <ModelPicker
                    label="Scoring model"
                    value={form.scoring}
                    onChange={(k) => update({ scoring: k })}
                    groups={groups}
                    broken={brokenScoring}
                    inputRef={scoringRef}
                    description={pickerNote(brokenScoring, form.scoring)}
                  />
                  {testButton("scoring")}
                  {fallbackPicker("scoring")}
                </div>
              </div>
            ) : (
              <>
                <ModelPicker
                  label="Model"
                  value={form.cat}
                  onChange={onCat}
                  groups={groups}
                  broken={brokenCat}
                  inputRef={modelRef}
                  description={pickerNote(brokenCat, form.cat)}
                />
                <div className="row">
                  <div className="route-column">
                    {testButton("categorization")}
                    {fallbackPicker("categorization")}
                  </div>
                  <div className="route-column">
                    {testButton("scoring")}
                    {fallbackPicker("scoring")}
                  </div>
                </div>
              </>
            )}
            {dirty && (
              <p className="field-help">Test runs the saved routes; save to test your changes.</p>
            )}
            {bothLocal && (
              <p className="warning">If both models are local (Ollama), they must fit in memory simultaneously.</p>
            )}

            <div className="row">
              <BatchField
                label="Categorization batch size"
                value={form.catBatch}
                onChange={(v) => update({ catBatch: v })}
                help={batchHelp("categorization", form.cat)}
              />
              <BatchField
                label="Scoring batch size"
                value={form.scoringBatch}
                onChange={(v) => update({ scoringBatch: v })}
                help={batchHelp("scoring", form.separate ? form.scoring : form.cat)}
              />
            </div>

            <div className="actions">
              <Button
                ref={saveRef}
                className="button primary"
                onPress={onSave}
                isDisabled={!dirty || !complete}
                isPending={save.isPending}
              >
                {save.isPending ? "Saving…" : "Save"}
              </Button>
              <Button
                ref={rescoreRef}
                className="button"
                onPress={() => void onSaveAndRescore()}
                isDisabled={busy || !complete}
                aria-describedby="rescore-help"
              >
                {rescore.isPending ? "Rescoring…" : "Save and rescore"}
              </Button>
              {dirty && !complete && <span className="field-help">Choose a model for each task to save.</span>}
            </div>
            <p id="rescore-help" className="field-help">
              {RESCORE_HINT}
            </p>
            {rescore.isPending && (
              <div className="rescore-progress">
                <span role="status" aria-label="Rescore progress">
                  {progress
                    ? `Rescoring: ${progress.done} of ${progress.total} articles${progress.failed > 0 ? `, ${progress.failed} failed` : ""}`
                    : "Rescoring: queuing articles…"}
                </span>
                <Button
                  ref={cancelRef}
                  className="button"
                  aria-label="Cancel rescore"
                  onPress={onCancelRescore}
                  isPending={cancel.isPending}
                >
                  Cancel
                </Button>
              </div>
            )}
          </>
        )}
      </div>

      <QueueCounts />

      <div className="card">
        <h2>Readiness</h2>
        <div className="readiness-list">
          {(["categorization", "scoring"] as const).map((t) => (
            <TaskReadinessLine key={t} task={t} name={name} onChooseModel={() => focusPicker(t)} />
          ))}
        </div>
      </div>

      <ConfirmDialog
        isOpen={pendingLeave !== null}
        title="Discard unsaved changes?"
        confirmLabel="Discard changes"
        destructive
        onCancel={() => setPendingLeave(null)}
        onConfirm={() => {
          const proceed = pendingLeave;
          setPendingLeave(null);
          setDraft({});
          setLeaveGuard(null);
          proceed?.();
        }}
      >
        <p>The task routes have changes that are not saved.</p>
      </ConfirmDialog>
    </section>
  );
}

/** Polls one provider's health (shared with the Providers section: one request in flight). */
function HealthWatch({ provider }: { provider: string }) {
  useProviderHealth(provider, true);
  return null;
}

function BatchField({
  label,
  value,
  onChange,
  help,
}: {
  label: string;
  value: number | null;
  onChange: (v: number | null) => void;
  help: string;
}) {
  return (
    <NumberField
      className="field"
      value={value ?? Number.NaN}
      onChange={(v) => onChange(Number.isNaN(v) ? null : v)}
      minValue={1}
      maxValue={10}
      step={1}
      formatOptions={{ maximumFractionDigits: 0 }}
    >
      <Label className="field-label">{label}</Label>
      <Group className="number-group">
        <Button slot="decrement" className="button">
          −
        </Button>
        <Input className="number-input" />
        <Button slot="increment" className="button">
          +
        </Button>
      </Group>
      <Text slot="description" className="field-help">
        {help}
      </Text>
    </NumberField>
  );
}

/** "OpenAI", "OpenAI and Anthropic", "OpenAI, Anthropic and Google Gemini". */
function joinNames(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** One task's readiness, asked on its own: a provider that does not answer delays only its line. */
function TaskReadinessLine({
  task,
  name,
  onChooseModel,
}: {
  task: Task;
  name: (provider: string) => string;
  onChooseModel: () => void;
}) {
  const readiness = useQuery(taskReadinessQuery(task));
  if (readiness.isPending) return <Skeleton lines={1} />;
  if (readiness.isError) return <ErrorState error={readiness.error} onRetry={() => void readiness.refetch()} />;
  return <ReadinessLine task={task} readiness={readiness.data} name={name} onChooseModel={onChooseModel} />;
}
