/**
 * Ollama pulls, kept outside React: a pull goes on while the section is closed and is
 * shown again when it reopens. Progress arrives on a Tauri Channel per pull; pulls this
 * window did not start (or lost after a reload) are learnt from `ollama_pulls`.
 */
import { useSyncExternalStore } from "react";
import type { QueryClient } from "@tanstack/react-query";
import { Channel } from "@tauri-apps/api/core";
import { commands, type PullProgress } from "../../bindings";
import { toast } from "../../components/toast";
import { errorSentence } from "../../lib/errors";
import { call } from "../../lib/ipc";
import { invalidates } from "../../lib/queryKeys";
import { normalizeOllamaModel } from "./config";
import { invalidateKeys } from "./queries";

export type PullView = {
  /** The model as the core names it (`phi4-mini` is `phi4-mini:latest`). */
  model: string;
  phase: "running" | "done" | "error";
  status: string;
  completed: number;
  total: number;
  /** Null while unknown (a pull learnt from the core has no progress stream here). */
  percent: number | null;
  /** Bytes per second over the last 2 s. */
  speed: number | null;
  /** Progress arrives on this window's channel. */
  attached: boolean;
  error: string | null;
};

type Entry = PullView & { gen: number; digest: string | null; samples: { t: number; completed: number }[] };

const entries = new Map<string, Entry>();
const listeners = new Set<() => void>();
/** Pulls that ended a moment ago; a slow `ollama_pulls` answer must not bring them back. */
const recentlyEnded = new Map<string, number>();
let snapshot: PullView[] = [];
let generation = 0;
let client: QueryClient | null = null;

const SPEED_WINDOW_MS = 2000;
const ENDED_GRACE_MS = 3000;

function emit() {
  snapshot = [...entries.values()]
    .map(
      (e): PullView => ({
        model: e.model,
        phase: e.phase,
        status: e.status,
        completed: e.completed,
        total: e.total,
        percent: e.percent,
        speed: e.speed,
        attached: e.attached,
        error: e.error,
      }),
    )
    .sort((a, b) => a.model.localeCompare(b.model));
  listeners.forEach((l) => l());
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}

const getSnapshot = () => snapshot;

/** Every pull the window knows of, sorted by model. */
export function usePulls(): PullView[] {
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}

/** The query client that finished pulls refresh (the section binds it when it mounts). */
export function bindQueryClient(qc: QueryClient) {
  client = qc;
}

/** Installed models change once a pull ends; Ollama may list the model a moment late. */
function refreshAfterPull() {
  const qc = client;
  if (!qc) return;
  void invalidateKeys(qc, invalidates.ollamaPull());
  setTimeout(() => void invalidateKeys(qc, invalidates.ollamaPull()), 1000);
}

function markEnded(model: string) {
  recentlyEnded.set(model, Date.now());
}

/** A model name as the core accepts it: printable, no spaces, at most 256 characters. */
export function validateModelName(raw: string): string | null {
  const v = raw.trim();
  if (!v) return "Enter a model name, such as mistral:7b.";
  // eslint-disable-next-line no-control-regex
  if (v.length > 256 || /[\s\u0000-\u001f\u007f]/.test(v)) return "A model name has no spaces, such as mistral:7b.";
  return null;
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

function onProgress(model: string, gen: number, p: PullProgress) {
  const e = entries.get(model);
  if (!e || e.gen !== gen) return;
  const before = `${e.status}|${e.percent}|${e.speed === null ? "" : Math.round(e.speed / 10_000)}`;
  e.status = p.status;
  if (p.digest && p.digest !== e.digest) {
    e.digest = p.digest;
    e.samples = [];
    e.speed = null;
  }
  if (typeof p.total === "number" && p.total > 0) e.total = p.total;
  if (typeof p.completed === "number") {
    e.completed = p.completed;
    const t = now();
    e.samples.push({ t, completed: p.completed });
    while (e.samples.length > 2 && t - (e.samples[0]?.t ?? t) > SPEED_WINDOW_MS) e.samples.shift();
    const first = e.samples[0];
    const dt = first ? (t - first.t) / 1000 : 0;
    e.speed = first && dt > 0 ? Math.max(0, (p.completed - first.completed) / dt) : e.speed;
  }
  e.percent = e.total > 0 ? Math.min(100, Math.round((e.completed / e.total) * 100)) : 0;
  const after = `${e.status}|${e.percent}|${e.speed === null ? "" : Math.round(e.speed / 10_000)}`;
  // Ollama sends many lines a second; re-render only when something visible changed.
  if (after !== before) emit();
}

/** Start pulling `name` (no-op when it is already being pulled). */
export function startPull(name: string): void {
  const model = normalizeOllamaModel(name);
  const existing = entries.get(model);
  if (existing && existing.phase === "running") return;
  const gen = ++generation;
  recentlyEnded.delete(model);
  entries.set(model, {
    model,
    phase: "running",
    status: "starting",
    completed: 0,
    total: 0,
    percent: 0,
    speed: null,
    attached: true,
    error: null,
    gen,
    digest: null,
    samples: [],
  });
  emit();
  const channel = new Channel<PullProgress>();
  channel.onmessage = (p) => onProgress(model, gen, p);
  call(commands.ollamaPullModel(model, channel)).then(
    (outcome) => {
      const e = entries.get(model);
      if (!e || e.gen !== gen) return;
      markEnded(model);
      if (outcome === "cancelled") {
        entries.delete(model);
        emit();
        return;
      }
      e.phase = "done";
      e.status = "complete";
      e.percent = 100;
      emit();
      toast(`Pulled ${model}.`, "success");
      setTimeout(() => {
        const cur = entries.get(model);
        if (cur && cur.gen === gen) {
          entries.delete(model);
          emit();
        }
        refreshAfterPull();
      }, 500);
    },
    (err: unknown) => {
      const e = entries.get(model);
      if (!e || e.gen !== gen) return;
      markEnded(model);
      e.phase = "error";
      e.error = errorSentence(err);
      e.speed = null;
      emit();
      toast(`Could not pull ${model}: ${e.error}`, "error");
    },
  );
}

/** Stop a pull at once: its progress disappears now and the core drops the download. */
export function cancelPull(name: string): void {
  const model = normalizeOllamaModel(name);
  if (entries.delete(model)) emit();
  markEnded(model);
  call(commands.ollamaCancelPull(model)).then(
    () => refreshAfterPull(),
    (err: unknown) => toast(`Could not cancel the pull of ${model}: ${errorSentence(err)}`, "error"),
  );
}

/** Forget a failed pull's message. */
export function dismissPull(name: string): void {
  const model = normalizeOllamaModel(name);
  const e = entries.get(model);
  if (e && e.phase !== "running") {
    entries.delete(model);
    emit();
  }
}

/**
 * Align with the pulls the core reports: show those this window has no stream for, and
 * drop such pulls once the core no longer lists them (they ended elsewhere).
 */
export function reconcilePulls(running: readonly string[]): void {
  const t = Date.now();
  for (const [m, at] of recentlyEnded) if (t - at > ENDED_GRACE_MS) recentlyEnded.delete(m);
  let changed = false;
  let ended = false;
  const listed = new Set(running);
  for (const model of running) {
    if (entries.has(model) || recentlyEnded.has(model)) continue;
    entries.set(model, {
      model,
      phase: "running",
      status: "downloading",
      completed: 0,
      total: 0,
      percent: null,
      speed: null,
      attached: false,
      error: null,
      gen: ++generation,
      digest: null,
      samples: [],
    });
    changed = true;
  }
  for (const [model, e] of entries) {
    if (!e.attached && e.phase === "running" && !listed.has(model)) {
      entries.delete(model);
      changed = true;
      ended = true;
    }
  }
  if (changed) emit();
  if (ended) refreshAfterPull();
}

/** Whether some pull is shown without a progress stream (then the core is polled). */
export function hasDetachedPulls(pulls: readonly PullView[]): boolean {
  return pulls.some((p) => !p.attached && p.phase === "running");
}

/** Forget every pull; for tests. */
export function resetPulls(): void {
  entries.clear();
  recentlyEnded.clear();
  client = null;
  emit();
}
