import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, expect, test, vi } from "vitest";
import { ToastRegion } from "../../components/toast";
import { getNav } from "../../lib/nav";
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
import { RoutesSection } from "./RoutesSection";

afterEach(() => {
  clearMocks();
  vi.useRealTimers();
});

function setup(overrides: Record<string, Handler> = {}) {
  const mock = mockCommands({
    provider_kinds: () => KINDS,
    list_providers: () => [provider("ollama"), provider("openai")],
    list_models: () => MODELS,
    get_task_routes: () => routes(["ollama", "gemma3:12b"]),
    task_readiness: () => READY,
    ollama_health: () => ({ connected: true, version: "0.9.0", latency_ms: 3 }),
    test_provider: () => ({ ok: true, latency_ms: 20, version: null, error: null }),
    ...overrides,
  });
  const view = renderWithClient(
    <>
      <RoutesSection />
      <ToastRegion />
    </>,
  );
  return { ...mock, ...view };
}

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
    categorization: { provider: "ollama", model: "gemma3:12b", batch_size: null },
    scoring: { provider: "ollama", model: "gemma3:12b", batch_size: null },
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

test("a route whose model is gone is shown broken, not blank and not replaced", async () => {
  setup({ get_task_routes: () => routes(["ollama", "llama3.2:latest"]) });
  const box = await screen.findByRole("combobox", { name: "Model" });
  expect(box).toHaveValue("llama3.2:latest — no longer offered by Ollama");
  expect(screen.getByRole("button", { name: "Save" })).toBeDisabled();
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
  const before = called("task_readiness").length;
  await userEvent.click(within(status).getByRole("button", { name: "Test connection" }));
  await waitFor(() => expect(called("test_provider")[0]?.args).toEqual({ provider: "ollama" }));
  await waitFor(() => expect(called("task_readiness").length).toBeGreaterThan(before));
  await waitFor(() => expect(status).toHaveTextContent(/^Ready/));
  expect(await screen.findByText("Ollama answered in 12 ms.")).toBeInTheDocument();
});

test("model_missing on Ollama → Download pulls it with progress", async () => {
  let finish: (v: string) => void = () => {};
  let channel: { onmessage: (m: unknown) => void } | null = null;
  const { called } = setup({
    ollama_pull_model: (a) => {
      channel = a.onProgress as typeof channel;
      return new Promise((r) => (finish = r));
    },
    task_readiness: () =>
      notReady({
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
  act(() => channel?.onmessage({ status: "pulling abc", total: 200, completed: 100 }));
  const bar = await screen.findByRole("progressbar", { name: "Downloading qwen3:4b" });
  expect(bar).toHaveAttribute("value", "50");
  expect(screen.getByText(/50% .*pulling abc/)).toBeInTheDocument();
  await act(async () => finish("complete"));
  expect(await screen.findByText("Downloaded qwen3:4b.")).toBeInTheDocument();
  await waitFor(() => expect(screen.queryByRole("progressbar")).not.toBeInTheDocument());
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
  await userEvent.click(await screen.findByRole("button", { name: "Cancel" }));
  await waitFor(() => expect(called("ollama_cancel_pull")[0]?.args).toEqual({ model: "qwen3:4b" }));
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

test("Save and rescore is visible, disabled, and says what it will do", async () => {
  setup();
  const user = userEvent.setup();
  await screen.findByRole("combobox", { name: "Model" });
  const btn = screen.getByRole("button", { name: "Save and rescore" });
  expect(btn).toHaveAttribute("aria-disabled", "true");
  await user.hover(btn);
  expect(await screen.findByRole("tooltip")).toHaveTextContent("Re-queues recent articles for scoring with the saved models.");
});
