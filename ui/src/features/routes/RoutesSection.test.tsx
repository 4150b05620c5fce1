import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, expect, test, vi } from "vitest";
import { ToastRegion } from "../../components/toast";
import { getNav } from "../../lib/nav";
import { MODELS_GRACE_MS } from "../../lib/models";
import { READINESS_INTERVAL_MS, readinessQuery } from "../../lib/queries";
import {
  KINDS,
  MODELS,
  model,
  mockCommands,
  never,
  provider,
  READY,
  renderWithClient,
  routes,
  type Handler,
} from "../../lib/test-utils";
import { getPulls, resetPulls, startPull } from "../providers/pulls";
import { queueFailuresQuery, queueStatusQuery } from "./queries";
import { RoutesSection } from "./RoutesSection";

afterEach(() => {
  clearMocks();
  resetPulls();
  vi.useRealTimers();
});

function setup(overrides: Record<string, Handler> = {}) {
  const handlers: Record<string, Handler> = {
    provider_kinds: () => KINDS,
    list_providers: () => [provider("ollama"), provider("openai")],
    list_models: () => MODELS,
    get_task_routes: () => routes(["ollama", "gemma3:12b"]),
    task_readiness: () => READY,
    ollama_health: () => ({ connected: true, version: "0.9.0", latency_ms: 3 }),
    test_provider: () => ({ ok: true, latency_ms: 20, version: null, error: null }),
    ollama_pulls: () => [],
    queue_status: () => QUEUE,
    queue_last_failures: () => [],
    ...overrides,
  };
  // One task's readiness is the matching half of both, unless a test says otherwise.
  const both = handlers.task_readiness!;
  const mock = mockCommands({
    task_readiness_of: async (a) => ((await both({})) as Record<string, unknown>)[String(a.task)],
    ...handlers,
  });
  const view = renderWithClient(
    <>
      <RoutesSection />
      <ToastRegion />
    </>,
  );
  return { ...mock, ...view };
}

const COUNTS = { queued: 0, running: 0, done: 0, failed: 0 };
const QUEUE = { categorization: COUNTS, scoring: COUNTS, paused: [] };

const notReady = (over: Record<string, unknown>) => ({
  categorization: { ready: false, provider: null, model: null, reason: null, message: null, fix: null, ...over },
  scoring: READY.scoring,
});

test("shows a placeholder of fixed height while the routes load", async () => {
  setup({ get_task_routes: never });
  expect(await screen.findAllByRole("status", { name: "Loading" })).not.toHaveLength(0);
  expect(screen.queryByRole("combobox")).not.toBeInTheDocument();
});

test("a failed load shows the code's sentence and Retry loads again", async () => {
  let fail = true;
  setup({
    get_task_routes: () => {
      if (fail) throw { code: "db_locked", message: "database is locked" };
      return routes(["ollama", "gemma3:12b"]);
    },
  });
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("Another program is writing to the database");
  fail = false;
  await userEvent.click(within(alert).getByRole("button", { name: "Retry" }));
  expect(await screen.findByRole("combobox", { name: "Model" })).toHaveValue("gemma3:12b — 7.6 GB (loaded)");
});

test("one combobox while the switch is off, two named per task when it is on", async () => {
  setup();
  const user = userEvent.setup();
  expect(await screen.findByRole("combobox", { name: "Model" })).toBeInTheDocument();
  expect(screen.queryByRole("combobox", { name: "Categorization model" })).not.toBeInTheDocument();
  await user.click(screen.getByRole("switch", { name: "Use separate models" }));
  expect(screen.getByRole("combobox", { name: "Categorization model" })).toHaveValue("gemma3:12b — 7.6 GB (loaded)");
  // Turning the switch on copies nothing: scoring keeps its own (here equal) value.
  expect(screen.getByRole("combobox", { name: "Scoring model" })).toHaveValue("gemma3:12b — 7.6 GB (loaded)");
  expect(screen.queryByRole("combobox", { name: "Model" })).not.toBeInTheDocument();
});

/** A catalog entry as `list_provider_catalog` gives it. */
const catalogEntry = (m: ReturnType<typeof model>, selected = true) => ({ ...m, structured_output: null, selected });

test("one provider hanging: the others' models are offered at once, its route shown as loading, not broken", async () => {
  const { called } = setup({
    get_task_routes: () => routes(["ollama", "gemma3:12b"], ["openai", "gpt-4.1-mini"], true),
    // The aggregated list waits for every provider; OpenAI never answers.
    list_models: never,
    list_provider_catalog: (a) =>
      a.provider === "ollama"
        ? [catalogEntry(MODELS.models[0]!), catalogEntry(MODELS.models[1]!)]
        : never(),
    task_readiness: never,
  });
  const cat = await screen.findByRole("combobox", { name: "Categorization model" });
  expect(cat).toHaveValue("gemma3:12b — 7.6 GB (loaded)");
  const scoring = screen.getByRole("combobox", { name: "Scoring model" });
  expect(scoring).toHaveValue("gpt-4.1-mini");
  expect(scoring).toHaveAccessibleDescription("Still waiting for OpenAI to list models.");
  expect(scoring.closest("[data-broken]")).toBeNull();
  expect(called("list_provider_catalog").map((c) => c.args.provider).sort()).toEqual(["ollama", "openai"]);
  // Ollama's models are in the picker.
  await userEvent.click(within(cat.parentElement!).getByRole("button", { name: /Show models/ }));
  expect(await screen.findByRole("option", { name: "qwen3:8b — 4.9 GB" })).toBeInTheDocument();
});

test("when the aggregated list answers in time, no provider is asked twice", async () => {
  const { called } = setup();
  await screen.findByRole("combobox", { name: "Model" });
  await new Promise((r) => setTimeout(r, MODELS_GRACE_MS + 100));
  expect(called("list_provider_catalog")).toHaveLength(0);
});

test("with fewer than two models the switch stays visible, explains itself and cannot be turned on", async () => {
  setup({
    list_models: () => ({ models: [MODELS.models[0]], providers: [{ ...MODELS.providers[0], count: 1 }] }),
  });
  const sw = await screen.findByRole("switch", { name: "Use separate models" });
  expect(sw).toBeDisabled();
  expect(sw).toHaveAccessibleDescription(/at least two models/);
});

test("turning the switch off makes scoring follow categorization; Save sends both", async () => {
  const { called } = setup({
    get_task_routes: () => routes(["ollama", "gemma3:12b"], ["openai", "gpt-4.1-mini"], true),
    update_task_routes: (a) => {
      const input = a.input as { categorization: { provider: string; model: string } };
      return routes([input.categorization.provider, input.categorization.model]);
    },
  });
  const user = userEvent.setup();
  expect(await screen.findByRole("combobox", { name: "Scoring model" })).toHaveValue("gpt-4.1-mini — 1M context");
  const save = screen.getByRole("button", { name: "Save" });
  expect(save).toBeDisabled();
  await user.click(screen.getByRole("switch", { name: "Use separate models" }));
  expect(save).toBeEnabled();
  await user.click(save);
  await waitFor(() => expect(called("update_task_routes")).toHaveLength(1));
  expect(called("update_task_routes")[0]?.args.input).toEqual({
    categorization: { provider: "ollama", model: "gemma3:12b", batch_size: null, fallback: null },
    scoring: { provider: "ollama", model: "gemma3:12b", batch_size: null, fallback: null },
    use_separate_models: false,
  });
  expect(await screen.findByText("Task routes saved.")).toBeInTheDocument();
  await waitFor(() => expect(screen.getByRole("button", { name: "Save" })).toBeDisabled());
});

test("choosing a model while the switch is off routes both tasks to it (searchable, grouped)", async () => {
  const { called } = setup({ update_task_routes: () => routes(["ollama", "qwen3:8b"]) });
  const user = userEvent.setup();
  const box = await screen.findByRole("combobox", { name: "Model" });
  await user.clear(box);
  await user.type(box, "QWEN");
  const listbox = await screen.findByRole("listbox");
  expect(within(listbox).getAllByRole("option")).toHaveLength(1);
  expect(within(listbox).getByText("Ollama")).toBeInTheDocument();
  await user.click(within(listbox).getByRole("option", { name: "qwen3:8b — 4.9 GB" }));
  await user.click(screen.getByRole("button", { name: "Save" }));
  await waitFor(() => expect(called("update_task_routes")).toHaveLength(1));
  const input = called("update_task_routes")[0]?.args.input as Record<string, { model: string }>;
  expect(input.categorization?.model).toBe("qwen3:8b");
  expect(input.scoring?.model).toBe("qwen3:8b");
});

test("the search ignores accents and case", async () => {
  setup({
    list_models: () => ({
      models: [...MODELS.models, model("openai", "Café-Modèle")],
      providers: MODELS.providers,
    }),
  });
  const user = userEvent.setup();
  const box = await screen.findByRole("combobox", { name: "Model" });
  await user.clear(box);
  await user.type(box, "cafe-mode");
  const listbox = await screen.findByRole("listbox");
  expect(within(listbox).getByRole("option", { name: "Café-Modèle" })).toBeInTheDocument();
  expect(within(listbox).getAllByRole("option")).toHaveLength(1);
});

test("Save stays disabled until something changes; a batch size change enables it", async () => {
  const { called } = setup({ update_task_routes: () => routes(["ollama", "gemma3:12b"]) });
  const user = userEvent.setup();
  await screen.findByRole("combobox", { name: "Model" });
  expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
  const batch = screen.getByRole("textbox", { name: "Scoring batch size" });
  expect(batch).toHaveAccessibleDescription(/Local models are slower — keep this low/);
  await user.type(batch, "3");
  await user.tab();
  expect(screen.getByRole("button", { name: "Save" })).toBeEnabled();
  await user.click(screen.getByRole("button", { name: "Save" }));
  await waitFor(() => expect(called("update_task_routes")).toHaveLength(1));
  const input = called("update_task_routes")[0]?.args.input as Record<string, { batch_size: number | null }>;
  expect(input.scoring?.batch_size).toBe(3);
  expect(input.categorization?.batch_size).toBeNull();
});

test("saving with the keyboard leaves the focus in the section, not on the page", async () => {
  const { called } = setup({ update_task_routes: () => routes(["ollama", "gemma3:12b"]) });
  const user = userEvent.setup();
  await screen.findByRole("combobox", { name: "Model" });
  await user.type(screen.getByRole("textbox", { name: "Scoring batch size" }), "3");
  await user.tab();
  const save = screen.getByRole("button", { name: "Save" });
  save.focus();
  await user.keyboard("{Enter}");
  await waitFor(() => expect(called("update_task_routes")).toHaveLength(1));
  await waitFor(() => expect(screen.getByRole("button", { name: "Save" })).toBeDisabled());
  expect(screen.getByRole("heading", { name: "Task routes" })).toHaveFocus();
});

test("a route whose model is gone is shown broken, not blank and not replaced", async () => {
  setup({ get_task_routes: () => routes(["ollama", "llama3.2:latest"]) });
  const box = await screen.findByRole("combobox", { name: "Model" });
  expect(box).toHaveValue("llama3.2:latest — no longer offered by Ollama");
  expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
});

test("a long broken route is shown in full, wrapped under its field; the field keeps its name", async () => {
  const long = "hf.co/some-organisation/a-very-long-quantized-model-name-that-does-not-fit-GGUF:Q4_K_M";
  setup({ get_task_routes: () => routes(["ollama", long]) });
  const box = await screen.findByRole("combobox", { name: "Model" });
  const text = `${long} — no longer offered by Ollama`;
  expect(box).toHaveValue(text);
  const full = screen.getByText(text, { selector: ".combo-broken-full" });
  expect(full).toBeVisible();
  expect(full.textContent).toBe(text);
  // Choosing a model that is offered puts the full line away.
  const user = userEvent.setup();
  await user.clear(box);
  await user.type(box, "qwen");
  await user.click(within(await screen.findByRole("listbox")).getByRole("option", { name: "qwen3:8b — 4.9 GB" }));
  expect(document.querySelector(".combo-broken-full")).toBeNull();
});

test("a route to a disabled provider says so", async () => {
  setup({
    list_providers: () => [provider("ollama"), provider("openai", false)],
    list_models: () => ({ models: MODELS.models.slice(0, 2), providers: [MODELS.providers[0]] }),
    get_task_routes: () => routes(["openai", "gpt-4.1-mini"]),
  });
  expect(await screen.findByRole("combobox", { name: "Model" })).toHaveValue("gpt-4.1-mini — OpenAI is disabled");
});

test("a ready task says Ready with provider and model", async () => {
  setup();
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  expect(status).toHaveTextContent(/^Ready — Ollama · gemma3:12b$/);
  expect(within(status).queryByRole("button")).not.toBeInTheDocument();
});

test("readiness is re-checked every 20 s while the window is visible", () => {
  const q = readinessQuery();
  expect(READINESS_INTERVAL_MS).toBe(20_000);
  expect(q.refetchInterval).toBe(20_000);
  expect(q.refetchIntervalInBackground).toBe(false);
});

test("a provider that stops answering turns the task unreachable at the next 20 s check", async () => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  let up = true;
  const { called } = setup({
    ollama_health: () => ({ connected: up, version: null, latency_ms: null }),
    task_readiness: () =>
      up
        ? READY
        : notReady({
            provider: "ollama",
            model: "gemma3:12b",
            reason: "provider_unreachable",
            message: "Categorization is paused: Ollama is not reachable at http://localhost:11434. Is it running?",
            fix: "test_provider",
          }),
  });
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  expect(status).toHaveTextContent(/^Ready/);
  up = false;
  await act(async () => {
    await vi.advanceTimersByTimeAsync(20_500);
  });
  await waitFor(() => expect(status).toHaveTextContent(/not reachable/));
  expect(within(status).getByRole("button", { name: "Test connection" })).toBeInTheDocument();
  // The routed provider's health is polled here too (Ollama: ollama_health).
  expect(called("ollama_health").length).toBeGreaterThanOrEqual(2);
  up = true;
  await act(async () => {
    await vi.advanceTimersByTimeAsync(20_500);
  });
  await waitFor(() => expect(status).toHaveTextContent(/^Ready/));
});

// Every reason code with its one fix button.

test("no_provider → Add provider opens Providers with the Add provider dialog", async () => {
  setup({
    task_readiness: () =>
      notReady({ reason: "no_provider", message: "Categorization is paused: no LLM provider is set up.", fix: "add_provider" }),
  });
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  expect(status).toHaveTextContent(/^Categorization is paused: no LLM provider is set up\./);
  await userEvent.click(within(status).getByRole("button", { name: "Add provider" }));
  expect(getNav()).toEqual({ section: "providers", intent: { kind: "add_provider" } });
});

test("provider_unconfigured → Set up opens that provider's panel", async () => {
  setup({
    task_readiness: () =>
      notReady({
        provider: "openai",
        model: "gpt-4.1-mini",
        reason: "provider_unconfigured",
        message: "Categorization is paused: the OpenAI API key could not be read; enter it again.",
        fix: "configure_provider",
      }),
  });
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  await userEvent.click(within(status).getByRole("button", { name: "Set up OpenAI" }));
  expect(getNav()).toEqual({ section: "providers", intent: { kind: "configure_provider", provider: "openai" } });
});

test("provider_disabled → Enable asks, then enables the provider", async () => {
  let enabled = false;
  const { called } = setup({
    set_provider_enabled: () => {
      enabled = true;
      return provider("ollama");
    },
    task_readiness: () =>
      enabled
        ? READY
        : notReady({
            provider: "ollama",
            model: "gemma3:12b",
            reason: "provider_disabled",
            message: "Categorization is paused: Ollama is disabled.",
            fix: "enable_provider",
          }),
  });
  const user = userEvent.setup();
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  await user.click(within(status).getByRole("button", { name: "Enable Ollama" }));
  const dialog = await screen.findByRole("alertdialog", { name: "Enable Ollama?" });
  expect(called("set_provider_enabled")).toHaveLength(0);
  await user.click(within(dialog).getByRole("button", { name: "Enable" }));
  await waitFor(() => expect(called("set_provider_enabled")[0]?.args).toEqual({ provider: "ollama", enabled: true }));
  await waitFor(() => expect(status).toHaveTextContent(/^Ready/));
});

test("the enable confirmation closes on Escape without enabling", async () => {
  const { called } = setup({
    task_readiness: () =>
      notReady({ provider: "ollama", model: "x", reason: "provider_disabled", message: "Categorization is paused: Ollama is disabled.", fix: "enable_provider" }),
  });
  const user = userEvent.setup();
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  await user.click(within(status).getByRole("button", { name: "Enable Ollama" }));
  const dialog = await screen.findByRole("alertdialog");
  expect(dialog).toContainElement(document.activeElement as HTMLElement);
  await user.keyboard("{Escape}");
  await waitFor(() => expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument());
  expect(called("set_provider_enabled")).toHaveLength(0);
});

test.each([
  ["provider_unknown", "Categorization is paused: Acme is not supported in this version of Curator."],
  ["model_unconfigured", "Categorization is paused: no model is selected."],
])("%s → Choose a model focuses the task's picker", async (reason, message) => {
  setup({ task_readiness: () => notReady({ reason, message, fix: "choose_model" }) });
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  expect(status).toHaveTextContent(message);
  await userEvent.click(within(status).getByRole("button", { name: "Choose a model" }));
  expect(screen.getByRole("combobox", { name: "Model" })).toHaveFocus();
});

test("choose_model with separate models focuses that task's own picker", async () => {
  setup({
    get_task_routes: () => routes(["ollama", "gemma3:12b"], ["ollama", "qwen3:8b"], true),
    task_readiness: () => ({
      categorization: READY.categorization,
      scoring: { ready: false, provider: null, model: null, reason: "model_unconfigured", message: "Scoring is paused: no model is selected.", fix: "choose_model" },
    }),
  });
  const status = await screen.findByRole("status", { name: "Scoring readiness" });
  await userEvent.click(within(status).getByRole("button", { name: "Choose a model" }));
  expect(screen.getByRole("combobox", { name: "Scoring model" })).toHaveFocus();
});

test("provider_unreachable → Test connection tests the provider and re-checks readiness", async () => {
  let tested = false;
  const { called } = setup({
    test_provider: () => {
      tested = true;
      return { ok: true, latency_ms: 12, version: "0.9.0", error: null };
    },
    task_readiness: () =>
      tested
        ? READY
        : notReady({
            provider: "ollama",
            model: "gemma3:12b",
            reason: "provider_unreachable",
            message: "Categorization is paused: Ollama is not reachable at http://localhost:11434. Is it running?",
            fix: "test_provider",
          }),
  });
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  const before = called("task_readiness_of").length;
  await userEvent.click(within(status).getByRole("button", { name: "Test connection" }));
  await waitFor(() => expect(called("test_provider")[0]?.args).toEqual({ provider: "ollama" }));
  await waitFor(() => expect(called("task_readiness_of").length).toBeGreaterThan(before));
  await waitFor(() => expect(status).toHaveTextContent(/^Ready/));
  expect(await screen.findByText("Ollama answered in 12 ms.")).toBeInTheDocument();
});

test("Test connection leaves a health check in flight alone (never two requests per provider)", async () => {
  let tested = false;
  const { called } = setup({
    ollama_health: () => never(),
    test_provider: () => {
      tested = true;
      return { ok: true, latency_ms: 12, version: "0.9.0", error: null };
    },
    task_readiness: () =>
      tested
        ? READY
        : notReady({
            provider: "ollama",
            model: "gemma3:12b",
            reason: "provider_unreachable",
            message: "Categorization is paused: Ollama is not reachable at http://localhost:11434. Is it running?",
            fix: "test_provider",
          }),
  });
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  await waitFor(() => expect(called("ollama_health")).toHaveLength(1));
  await userEvent.click(within(status).getByRole("button", { name: "Test connection" }));
  await waitFor(() => expect(status).toHaveTextContent(/^Ready/));
  expect(called("test_provider")).toHaveLength(1);
  expect(called("ollama_health")).toHaveLength(1);
});

test("model_missing on Ollama → Download pulls it with progress, in the window's one set of pulls", async () => {
  let finish: (v: string) => void = () => {};
  let channel: { onmessage: (m: unknown) => void } | null = null;
  let installed = false;
  const { called } = setup({
    ollama_pull_model: (a) => {
      channel = a.onProgress as typeof channel;
      return new Promise((r) => (finish = r));
    },
    task_readiness: () =>
      installed
        ? READY
        : notReady({
            provider: "ollama",
            model: "qwen3:4b",
            reason: "model_missing",
            message: "Categorization is paused: the model qwen3:4b is not installed in Ollama.",
            fix: "pull_model",
          }),
  });
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  await userEvent.click(within(status).getByRole("button", { name: "Download qwen3:4b" }));
  await waitFor(() => expect(called("ollama_pull_model")[0]?.args.model).toBe("qwen3:4b"));
  // The same pull the Providers section shows (the shared store), not a second one.
  expect(getPulls().map((p) => p.model)).toEqual(["qwen3:4b"]);
  // Pending, not disabled: it keeps the focus and ignores presses.
  expect(within(status).getByRole("button", { name: "Downloading…" })).toHaveAttribute("aria-disabled", "true");
  act(() => channel?.onmessage({ status: "pulling abc", digest: "sha256:abc", total: 200, completed: 100 }));
  const bar = await screen.findByRole("progressbar", { name: "Pulling qwen3:4b" });
  await waitFor(() => expect(bar).toHaveAttribute("aria-valuenow", "50"));
  expect(bar.closest("li")).toHaveTextContent(/50% .*pulling abc/);
  // Starting it again (from here or from Providers) does not start a second download.
  act(() => startPull("qwen3:4b"));
  expect(called("ollama_pull_model")).toHaveLength(1);
  installed = true;
  await act(async () => finish("complete"));
  expect(await screen.findByText("Pulled qwen3:4b.")).toBeInTheDocument();
  await waitFor(() => expect(screen.queryByRole("progressbar")).not.toBeInTheDocument());
  // The finished pull re-reads readiness.
  await waitFor(() => expect(status).toHaveTextContent(/^Ready/));
});

test("a download can be cancelled at once", async () => {
  const { called } = setup({
    ollama_pull_model: () => never(),
    ollama_cancel_pull: () => true,
    task_readiness: () =>
      notReady({ provider: "ollama", model: "qwen3:4b", reason: "model_missing", message: "Categorization is paused: the model qwen3:4b is not installed in Ollama.", fix: "pull_model" }),
  });
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  await userEvent.click(within(status).getByRole("button", { name: "Download qwen3:4b" }));
  await userEvent.click(await screen.findByRole("button", { name: "Cancel qwen3:4b" }));
  expect(screen.queryByRole("progressbar", { name: "Pulling qwen3:4b" })).not.toBeInTheDocument();
  await waitFor(() => expect(called("ollama_cancel_pull")[0]?.args).toEqual({ model: "qwen3:4b" }));
  expect(within(status).getByRole("button", { name: "Download qwen3:4b" })).toBeEnabled();
});

test("a pull started in Providers shows its progress on the readiness line", async () => {
  let channel: { onmessage: (m: unknown) => void } | null = null;
  setup({
    ollama_pull_model: (a) => {
      channel = a.onProgress as typeof channel;
      return never();
    },
    task_readiness: () =>
      notReady({ provider: "ollama", model: "qwen3:4b", reason: "model_missing", message: "Categorization is paused: the model qwen3:4b is not installed in Ollama.", fix: "pull_model" }),
  });
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  act(() => startPull("qwen3:4b"));
  expect(await within(status).findByRole("button", { name: "Downloading…" })).toHaveAttribute("aria-disabled", "true");
  act(() => channel?.onmessage({ status: "pulling abc", digest: "sha256:abc", total: 400, completed: 100 }));
  await waitFor(() =>
    expect(screen.getByRole("progressbar", { name: "Pulling qwen3:4b" })).toHaveAttribute("aria-valuenow", "25"),
  );
});

test("model_missing on a key-based provider → Expose adds it to the exposed models", async () => {
  const config = { base_url: null, selected_models: ["gpt-4o"], batch_size: 5, timeout_s: 60 };
  const { called } = setup({
    get_provider_config: () => provider("openai", true, config),
    update_provider_config: () => provider("openai", true, { ...config, selected_models: ["gpt-4o", "gpt-4.1-mini"] }),
    task_readiness: () =>
      notReady({
        provider: "openai",
        model: "gpt-4.1-mini",
        reason: "model_missing",
        message: "Categorization is paused: gpt-4.1-mini is not among the models exposed for OpenAI.",
        fix: "expose_model",
      }),
  });
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  await userEvent.click(within(status).getByRole("button", { name: "Expose gpt-4.1-mini" }));
  await waitFor(() => expect(called("update_provider_config")).toHaveLength(1));
  expect(called("get_provider_config")[0]?.args).toEqual({ provider: "openai" });
  expect(called("update_provider_config")[0]?.args).toEqual({
    provider: "openai",
    config: { ...config, selected_models: ["gpt-4o", "gpt-4.1-mini"] },
    apiKey: null,
  });
  expect(await screen.findByText("gpt-4.1-mini is now exposed for OpenAI.")).toBeInTheDocument();
});

test("Save and rescore saves, shows progress n of m with failures, and announces the result", async () => {
  let channel: { onmessage: (m: unknown) => void } | null = null;
  let finish: (v: unknown) => void = () => {};
  let queued = 0;
  const { called, calls } = setup({
    update_task_routes: () => routes(["ollama", "gemma3:12b"]),
    rescore: (a) => {
      channel = a.onProgress as typeof channel;
      return new Promise((r) => (finish = r));
    },
    queue_status: () => ({ ...QUEUE, scoring: { ...COUNTS, queued } }),
  });
  const user = userEvent.setup();
  await screen.findByRole("combobox", { name: "Model" });
  const btn = screen.getByRole("button", { name: "Save and rescore" });
  expect(btn).toBeEnabled();
  expect(btn).toHaveAccessibleDescription(/re-queues recent articles/);
  // A change is saved first, then the rescore starts.
  await user.type(screen.getByRole("textbox", { name: "Scoring batch size" }), "4");
  await user.tab();
  await user.click(btn);
  await waitFor(() => expect(called("rescore")).toHaveLength(1));
  expect(called("update_task_routes")).toHaveLength(1);
  expect((called("update_task_routes")[0]?.args.input as { scoring: { batch_size: number } }).scoring.batch_size).toBe(4);
  expect(called("rescore")[0]?.args.limit).toBeNull();
  const order = calls.map((c) => c.cmd).filter((c) => c === "update_task_routes" || c === "rescore");
  expect(order).toEqual(["update_task_routes", "rescore"]);
  expect(screen.getByRole("button", { name: "Rescoring…" })).toBeDisabled();
  act(() => channel?.onmessage({ done: 3, total: 10, failed: 1 }));
  expect(await screen.findByRole("status", { name: "Rescore progress" })).toHaveTextContent(
    "Rescoring: 3 of 10 articles, 1 failed",
  );
  queued = 7;
  await act(async () => finish({ queued: 10, skipped_running: 2, done: 10, failed: 1, cancelled: false }));
  expect(
    await screen.findByText(
      "Rescore finished: 10 of 10 articles done, 1 failed. 2 articles were already being processed and kept their run.",
    ),
  ).toBeInTheDocument();
  expect(screen.queryByRole("status", { name: "Rescore progress" })).not.toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Save and rescore" })).toBeEnabled();
  // The queue counts are re-read at once.
  await waitFor(() =>
    expect(within(screen.getByRole("table", { name: "Queue counts" })).getByRole("row", { name: /Scoring/ })).toHaveTextContent(
      /^Scoring7000$/,
    ),
  );
});

test("a rescore can be cancelled", async () => {
  let channel: { onmessage: (m: unknown) => void } | null = null;
  let finish: (v: unknown) => void = () => {};
  const { called } = setup({
    rescore: (a) => {
      channel = a.onProgress as typeof channel;
      return new Promise((r) => (finish = r));
    },
    cancel_rescore: () => {
      finish({ queued: 20, skipped_running: 0, done: 5, failed: 0, cancelled: true });
      return true;
    },
  });
  const user = userEvent.setup();
  await screen.findByRole("combobox", { name: "Model" });
  await user.click(screen.getByRole("button", { name: "Save and rescore" }));
  // Nothing changed: nothing is saved, the rescore starts at once.
  await waitFor(() => expect(called("rescore")).toHaveLength(1));
  expect(called("update_task_routes")).toHaveLength(0);
  act(() => channel?.onmessage({ done: 5, total: 20, failed: 0 }));
  expect(await screen.findByRole("status", { name: "Rescore progress" })).toHaveTextContent("Rescoring: 5 of 20 articles");
  await user.click(screen.getByRole("button", { name: "Cancel rescore" }));
  await waitFor(() => expect(called("cancel_rescore")).toHaveLength(1));
  expect(
    await screen.findByText("Rescore cancelled: 5 of 20 articles done; the rest were taken off the queue."),
  ).toBeInTheDocument();
  expect(screen.queryByRole("button", { name: "Cancel rescore" })).not.toBeInTheDocument();
});

test("Save and rescore is disabled while a task has no model", async () => {
  setup({ get_task_routes: () => routes(["ollama", null]) });
  await screen.findByRole("combobox", { name: "Model" });
  expect(screen.getByRole("button", { name: "Save and rescore" })).toBeDisabled();
  expect(screen.getByRole("button", { name: "Test categorization route" })).toBeDisabled();
});

test("the queue counts per task and the last failure's reason are shown, polled every 5 s", async () => {
  const { called } = setup({
    queue_status: () => ({
      categorization: { queued: 4, running: 1, done: 120, failed: 2 },
      scoring: { queued: 9, running: 0, done: 80, failed: 0 },
      paused: [],
    }),
    queue_last_failures: () => [
      { task: "categorization", article_id: 42, code: "bad_response", reason: "too many categories (7 > 5)" },
    ],
  });
  const table = await screen.findByRole("table", { name: "Queue counts" });
  const cat = within(table).getByRole("row", { name: /Categorization/ });
  expect(within(cat).getAllByRole("cell").map((c) => c.textContent)).toEqual(["4", "1", "120", "2"]);
  const sc = within(table).getByRole("row", { name: /Scoring/ });
  expect(within(sc).getAllByRole("cell").map((c) => c.textContent)).toEqual(["9", "0", "80", "0"]);
  expect(
    await screen.findByText("Last categorization failure (article 42): too many categories (7 > 5)"),
  ).toBeInTheDocument();
  expect(queueStatusQuery().refetchInterval).toBe(5_000);
  expect(queueStatusQuery().refetchIntervalInBackground).toBe(false);
  expect(queueFailuresQuery().refetchInterval).toBe(5_000);
  expect(called("queue_status").length).toBeGreaterThan(0);
});

test("Test runs the task through the saved route: a valid answer shows latency and the parsed result", async () => {
  const { called } = setup({
    test_route: (a) => ({
      task: a.task,
      provider: "ollama",
      model: "gemma3:12b",
      article_id: 17,
      latency_ms: 840,
      valid: true,
      result: { articles: [{ article_id: 17, categories: ["Rust"] }] },
      error: null,
      mode: "native",
    }),
  });
  const user = userEvent.setup();
  await screen.findByRole("combobox", { name: "Model" });
  await user.click(screen.getByRole("button", { name: "Test categorization route" }));
  await waitFor(() => expect(called("test_route")[0]?.args).toEqual({ task: "categorization", articleId: null }));
  const status = screen.getByRole("status", { name: "Categorization route test" });
  await waitFor(() =>
    expect(status).toHaveTextContent(
      'Valid answer in 840 ms from gemma3:12b (article 17): {"articles":[{"article_id":17,"categories":["Rust"]}]}',
    ),
  );
});

test("Test with an invalid answer says why; a failed command shows its sentence", async () => {
  setup({
    test_route: (a) => {
      if (a.task === "categorization") throw { code: "timeout", message: "Ollama did not answer within 15 s" };
      return {
        task: a.task,
        provider: "ollama",
        model: "gemma3:12b",
        article_id: null,
        latency_ms: 1200,
        valid: false,
        result: null,
        error: { code: "bad_response", message: "interest_score 14 is out of range 1..10" },
        mode: "native",
      };
    },
  });
  const user = userEvent.setup();
  await screen.findByRole("combobox", { name: "Model" });
  await user.click(screen.getByRole("button", { name: "Test scoring route" }));
  await waitFor(() =>
    expect(screen.getByRole("status", { name: "Scoring route test" })).toHaveTextContent(
      "Invalid answer in 1200 ms from gemma3:12b (the sample article): Interest_score 14 is out of range 1..10.",
    ),
  );
  await user.click(screen.getByRole("button", { name: "Test categorization route" }));
  await waitFor(() =>
    expect(screen.getByRole("status", { name: "Categorization route test" })).toHaveTextContent(
      "Ollama did not answer within 15 s.",
    ),
  );
});

test("a fallback model is optional, marks the form dirty and is saved with the routes", async () => {
  let saved: unknown = routes(["ollama", "gemma3:12b"]);
  const { called } = setup({
    get_task_routes: () => saved,
    update_task_routes: () => (saved = {
      routes: [
        { task: "categorization", provider: "ollama", model: "gemma3:12b", batch_size: null, fallback: null },
        { task: "scoring", provider: "ollama", model: "gemma3:12b", batch_size: null, fallback: { provider: "openai", model: "gpt-4.1-mini" } },
      ],
      use_separate_models: false,
    }),
  });
  const user = userEvent.setup();
  await screen.findByRole("combobox", { name: "Model" });
  const fb = screen.getByRole("combobox", { name: "Scoring fallback model" });
  expect(fb).toHaveValue("");
  expect(screen.getByRole("combobox", { name: "Categorization fallback model" })).toHaveValue("");
  expect(screen.getByRole("button", { name: "No fallback for scoring" })).toBeDisabled();
  expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
  await user.click(within(fb.parentElement!).getByRole("button", { name: /Show models/ }));
  await user.click(await screen.findByRole("option", { name: "gpt-4.1-mini — 1M context" }));
  expect(fb).toHaveValue("gpt-4.1-mini — 1M context");
  expect(screen.getByRole("button", { name: "Save" })).toBeEnabled();
  // Clearing it again leaves nothing to save.
  await user.click(screen.getByRole("button", { name: "No fallback for scoring" }));
  expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
  await user.click(within(fb.parentElement!).getByRole("button", { name: /Show models/ }));
  await user.click(await screen.findByRole("option", { name: "gpt-4.1-mini — 1M context" }));
  await user.click(screen.getByRole("button", { name: "Save" }));
  await waitFor(() => expect(called("update_task_routes")).toHaveLength(1));
  const input = called("update_task_routes")[0]?.args.input as Record<string, { fallback: unknown }>;
  expect(input.scoring?.fallback).toEqual({ provider: "openai", model: "gpt-4.1-mini" });
  expect(input.categorization?.fallback).toBeNull();
  await waitFor(() => expect(screen.getByRole("button", { name: "Save" })).toBeDisabled());
  expect(screen.getByRole("combobox", { name: "Scoring fallback model" })).toHaveValue("gpt-4.1-mini — 1M context");
});

test("a provider that does not answer holds back only its own task's readiness", async () => {
  setup({
    task_readiness_of: (a) => (a.task === "scoring" ? never() : READY.categorization),
  });
  const status = await screen.findByRole("status", { name: "Categorization readiness" });
  expect(status).toHaveTextContent(/Ready/);
  expect(screen.queryByRole("status", { name: "Scoring readiness" })).toBeNull();
});
