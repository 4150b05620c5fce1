import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, expect, test } from "vitest";
import { clearToasts } from "../../components/toast";
import { go, resetNav } from "../../lib/nav";
import { resetPulls } from "./pulls";
import { resetHealthMemory } from "./queries";
import { resetSession } from "./session";
import { FakeCore, findToast, keyedItem, OLLAMA_ITEM, renderSection } from "./test-utils";

let core: FakeCore;

beforeEach(() => {
  core = new FakeCore().install();
});

afterEach(() => {
  clearMocks();
  clearToasts();
  resetSession();
  resetPulls();
  resetHealthMemory();
  resetNav();
});

test("shows a skeleton while the list loads, never the empty state", async () => {
  let release: (v: unknown) => void = () => {};
  core.handlers.list_providers = () => new Promise((r) => (release = r));
  renderSection();
  expect(screen.getByRole("status", { name: "Loading" })).toBeInTheDocument();
  expect(screen.queryByText("No providers configured")).not.toBeInTheDocument();
  expect(screen.queryByRole("button", { name: "Add provider" })).not.toBeInTheDocument();
  await act(async () => release([]));
  expect(await screen.findByText("No providers configured")).toBeInTheDocument();
});

test("empty state offers Add provider once the list has loaded", async () => {
  renderSection();
  expect(await screen.findByRole("heading", { name: "No providers configured" })).toBeInTheDocument();
  const add = screen.getAllByRole("button", { name: "Add provider" });
  expect(add).toHaveLength(1);
  await userEvent.click(add[0]!);
  expect(await screen.findByRole("dialog", { name: "Add provider" })).toBeInTheDocument();
});

test("a failed provider list shows the error sentence and Retry", async () => {
  core.handlers.list_providers = () => {
    throw { code: "db_locked", message: "database is locked" };
  };
  renderSection();
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("Another program is writing to the database");
  expect(screen.queryByText("No providers configured")).not.toBeInTheDocument();
  core.handlers.list_providers = () => [];
  await userEvent.click(within(alert).getByRole("button", { name: "Retry" }));
  expect(await screen.findByText("No providers configured")).toBeInTheDocument();
});

test("one provider failing its health check does not hide the others", async () => {
  core.providers = [
    OLLAMA_ITEM,
    keyedItem("openai"),
    keyedItem("anthropic", { config: { base_url: null, selected_models: ["claude-a", "claude-b"], batch_size: 5, timeout_s: 15 } }),
    keyedItem("openrouter", { enabled: false }),
  ];
  core.health.openai = { ok: false, latency_ms: null, version: null, error: { code: "auth_failed", message: "OpenAI rejected the API key" } };
  core.health.anthropic = { ok: true, latency_ms: 88, version: null, error: null };
  renderSection();

  const ollama = await screen.findByRole("button", { name: "Ollama" });
  await waitFor(() => expect(ollama).toHaveAccessibleDescription(/Connected · 12 ms · v0\.6\.1/));
  const openai = screen.getByRole("button", { name: "OpenAI" });
  await waitFor(() => expect(openai).toHaveAccessibleDescription(/Unreachable — the API key was rejected/));
  const anthropic = screen.getByRole("button", { name: "Anthropic" });
  await waitFor(() => expect(anthropic).toHaveAccessibleDescription(/Connected · 88 ms.*2 models exposed/));
  const openrouter = screen.getByRole("button", { name: "OpenRouter" });
  expect(openrouter).toHaveAccessibleDescription("Disabled");
  // A disabled provider is not polled.
  expect(core.called("test_provider").map((c) => c.args.provider)).not.toContain("openrouter");
  // Each card has its own Enabled switch.
  const group = screen.getByRole("group", { name: "OpenRouter provider" });
  expect(within(group).getByRole("switch", { name: "Enabled" })).not.toBeChecked();
});

test("a key-based provider without a key says so", async () => {
  core.providers = [keyedItem("google", { has_key: false, key_last4: null })];
  core.health.google = {
    ok: false,
    latency_ms: null,
    version: null,
    error: { code: "invalid_config", message: "api_key: no API key is set for Google Gemini" },
  };
  renderSection();
  const card = await screen.findByRole("button", { name: "Google Gemini" });
  await waitFor(() => expect(card).toHaveAccessibleDescription(/API key missing/));
});

test("the Add provider dialog offers the five providers and marks added ones", async () => {
  core.providers = [OLLAMA_ITEM];
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "Add provider" }));
  const dialog = await screen.findByRole("dialog", { name: "Add provider" });
  for (const name of ["Ollama", "OpenAI", "Anthropic", "Google Gemini", "OpenRouter"]) {
    expect(within(dialog).getByRole("button", { name })).toBeInTheDocument();
  }
  expect(within(dialog).getByRole("button", { name: "Ollama" })).toBeDisabled();
  expect(within(dialog).getByRole("button", { name: "Ollama" })).toHaveAccessibleDescription("Already added");
  expect(within(dialog).getByRole("button", { name: "OpenAI" })).toHaveAccessibleDescription("Requires API key");
  await userEvent.keyboard("{Escape}");
  await waitFor(() => expect(screen.queryByRole("dialog", { name: "Add provider" })).not.toBeInTheDocument());
});

test("adds Ollama: validates the host, tests the form, saves, shows the card", async () => {
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "Add provider" }));
  await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Ollama" }));
  await waitFor(() => expect(screen.queryByRole("dialog", { name: "Add provider" })).not.toBeInTheDocument());

  const panel = await screen.findByRole("region", { name: "Ollama" });
  const host = within(panel).getByRole("textbox", { name: "Host" });
  const port = within(panel).getByRole("textbox", { name: "Port" });
  expect(host).toHaveValue("http://localhost");
  expect(port).toHaveValue("11434");
  // Nothing saved yet.
  expect(core.called("update_provider_config")).toHaveLength(0);

  await userEvent.clear(host);
  await userEvent.type(host, "localhost:11434");
  expect(host).toHaveAccessibleDescription(/URL must start with http:\/\/ or https:\/\//);
  expect(host).toHaveAttribute("aria-invalid", "true");
  await userEvent.clear(host);
  await userEvent.type(host, "http://ollama.lan:8080");
  expect(host).toHaveAccessibleDescription(/Put the port in the Port field/);
  await userEvent.clear(host);
  await userEvent.type(host, "http://ollama.lan");
  await userEvent.clear(port);
  await userEvent.type(port, "70000");
  expect(port).toHaveAccessibleDescription(/Port must be a whole number from 1 to 65535/);
  await userEvent.clear(port);
  await userEvent.type(port, "11500");

  await userEvent.click(within(panel).getByRole("button", { name: "Test connection" }));
  expect(await within(panel).findByText("Connected · 12 ms · v0.6.1")).toBeInTheDocument();
  expect(core.called("test_provider_key")[0]?.args).toMatchObject({
    provider: "ollama",
    config: { base_url: "http://ollama.lan", port: 11500 },
    apiKey: null,
  });
  expect(core.called("update_provider_config")).toHaveLength(0);

  await userEvent.click(within(panel).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(core.called("update_provider_config")).toHaveLength(1));
  expect(core.called("update_provider_config")[0]?.args).toEqual({
    provider: "ollama",
    config: {
      base_url: "http://ollama.lan",
      port: 11500,
      categorization_model: null,
      scoring_model: null,
      use_separate_models: false,
      thinking: false,
      batch_size: 1,
      timeout_s: 15,
      structured_output: "auto",
    },
    apiKey: null,
  });
  expect(await screen.findByRole("button", { name: "Ollama" })).toBeInTheDocument();
  expect(await findToast("Ollama added.")).toBeInTheDocument();
  // The panel is now the saved provider's: Disconnect and Enabled appear.
  const edit = screen.getByRole("region", { name: "Ollama" });
  expect(within(edit).getByRole("button", { name: "Disconnect" })).toBeInTheDocument();
  expect(within(edit).getByRole("switch", { name: "Enabled" })).toBeChecked();
});

test("adds OpenAI: URL preview, test errors, key never shown back", async () => {
  const KEY = "sk-test-SECRET-abcd1234";
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "Add provider" }));
  await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "OpenAI" }));
  const panel = await screen.findByRole("region", { name: "OpenAI" });
  const key = within(panel).getByLabelText("API key");
  const base = within(panel).getByRole("textbox", { name: "Base URL" });
  expect(base).toHaveAttribute("placeholder", "https://api.openai.com/v1");
  await waitFor(() => expect(base).toHaveAccessibleDescription(/https:\/\/api\.openai\.com\/v1\/models/));

  // Testing without a key asks for it, under the field.
  await userEvent.click(within(panel).getByRole("button", { name: "Test connection" }));
  expect(key).toHaveAccessibleDescription(/Enter the API key/);
  expect(core.called("test_provider_key")).toHaveLength(0);

  await userEvent.type(key, KEY);
  await userEvent.type(base, "https://llm.example.com");
  await waitFor(() => expect(base).toHaveAccessibleDescription(/https:\/\/llm\.example\.com\/models/));

  core.health.openai = {
    ok: false,
    latency_ms: null,
    version: null,
    error: { code: "auth_failed", message: "OpenAI rejected the API key: Incorrect API key provided" },
  };
  await userEvent.click(within(panel).getByRole("button", { name: "Test connection" }));
  const result = within(panel).getByRole("status", { name: "Connection test" });
  await waitFor(() => expect(result).toHaveTextContent("OpenAI rejected the API key. Check that it is complete and still active."));
  expect(core.called("test_provider_key")[0]?.args).toMatchObject({
    provider: "openai",
    apiKey: KEY,
    config: { base_url: "https://llm.example.com", selected_models: [] },
  });

  core.health.openai = { ok: true, latency_ms: 230, version: null, error: null };
  await userEvent.click(within(panel).getByRole("button", { name: "Test connection" }));
  await waitFor(() => expect(result).toHaveTextContent("Connected · 230 ms"));

  await userEvent.click(within(panel).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(core.called("update_provider_config")).toHaveLength(1));
  expect(core.called("update_provider_config")[0]?.args).toEqual({
    provider: "openai",
    config: { base_url: "https://llm.example.com", selected_models: [], batch_size: 5, timeout_s: 15, structured_output: "auto" },
    apiKey: KEY,
  });
  const edit = await screen.findByRole("region", { name: "OpenAI" });
  await waitFor(() => expect(within(edit).getByText(/stored in the keychain/)).toHaveTextContent("•••• 1234 — stored in the keychain"));
  expect(within(edit).getByLabelText("API key")).toHaveValue("");
  expect(within(edit).getByRole("button", { name: "Replace" })).toBeInTheDocument();
  expect(document.body.innerHTML).not.toContain(KEY);
  expect(document.body.innerHTML).not.toContain("SECRET");
  expect(await findToast("OpenAI added. The API key is stored in the keychain.")).toBeInTheDocument();
});

test.each([
  ["anthropic", "Anthropic", "https://api.anthropic.com/v1/models"],
  ["google", "Google Gemini", "https://generativelanguage.googleapis.com/v1beta/models"],
  ["openrouter", "OpenRouter", "https://openrouter.ai/api/v1/models"],
] as const)("adds %s through the dialog and saves it", async (id, label, modelsUrl) => {
  const KEY = `key-for-${id}-77ZZ`;
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "Add provider" }));
  await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: label }));
  const panel = await screen.findByRole("region", { name: label });
  const base = within(panel).getByRole("textbox", { name: "Base URL" });
  await waitFor(() => expect(base).toHaveAccessibleDescription(new RegExp(modelsUrl.replace(/[./]/g, "\\$&"))));
  await userEvent.type(within(panel).getByLabelText("API key"), KEY);
  await userEvent.clear(within(panel).getByRole("textbox", { name: "Batch size" }));
  await userEvent.type(within(panel).getByRole("textbox", { name: "Batch size" }), "3");
  await userEvent.click(within(panel).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(core.called("update_provider_config")).toHaveLength(1));
  expect(core.called("update_provider_config")[0]?.args).toEqual({
    provider: id,
    config: { base_url: null, selected_models: [], batch_size: 3, timeout_s: 15, structured_output: "auto" },
    apiKey: KEY,
  });
  expect(await screen.findByRole("button", { name: label })).toBeInTheDocument();
  expect(document.body.innerHTML).not.toContain(KEY);
});

test("Cancel in setup mode saves nothing and drops the panel", async () => {
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "Add provider" }));
  await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Anthropic" }));
  const panel = await screen.findByRole("region", { name: "Anthropic" });
  await userEvent.click(within(panel).getByRole("button", { name: "Cancel" }));
  expect(screen.queryByRole("region", { name: "Anthropic" })).not.toBeInTheDocument();
  expect(core.called("update_provider_config")).toHaveLength(0);
  expect(await screen.findByText("No providers configured")).toBeInTheDocument();
});

test("Escape closes an open panel and focus returns to its card", async () => {
  core.providers = [OLLAMA_ITEM];
  renderSection();
  const card = await screen.findByRole("button", { name: "Ollama" });
  await userEvent.click(card);
  expect(card).toHaveAttribute("aria-expanded", "true");
  const panel = await screen.findByRole("region", { name: "Ollama" });
  await userEvent.click(within(panel).getByRole("textbox", { name: "Port" }));
  await userEvent.keyboard("{Escape}");
  expect(screen.queryByRole("region", { name: "Ollama" })).not.toBeInTheDocument();
  await waitFor(() => expect(card).toHaveFocus());
});

test("an invalid_config error from Save lands under its field", async () => {
  core.providers = [OLLAMA_ITEM];
  core.handlers.update_provider_config = () => {
    throw { code: "invalid_config", message: "base_url: must not include a path", details: { field: "base_url" } };
  };
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "Ollama" }));
  const panel = await screen.findByRole("region", { name: "Ollama" });
  const timeout = within(panel).getByRole("textbox", { name: "Timeout (seconds)" });
  await userEvent.clear(timeout);
  await userEvent.type(timeout, "60");
  await userEvent.click(within(panel).getByRole("button", { name: "Save" }));
  const host = within(panel).getByRole("textbox", { name: "Host" });
  await waitFor(() => expect(host).toHaveAccessibleDescription(/Must not include a path\./));
  expect(host).toHaveFocus();
});

test("Save stays disabled on a saved provider until something changes", async () => {
  core.providers = [keyedItem("openai")];
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "OpenAI" }));
  const panel = await screen.findByRole("region", { name: "OpenAI" });
  const save = within(panel).getByRole("button", { name: "Save" });
  expect(save).toBeDisabled();
  await userEvent.type(within(panel).getByRole("textbox", { name: "Timeout (seconds)" }), "0");
  expect(save).toBeEnabled();
});

test("intent add_provider opens the dialog; configure_provider opens the panel", async () => {
  core.providers = [keyedItem("openai")];
  go("providers", { kind: "add_provider" });
  renderSection();
  expect(await screen.findByRole("dialog", { name: "Add provider" })).toBeInTheDocument();
  await userEvent.keyboard("{Escape}");
  await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

  act(() => go("providers", { kind: "configure_provider", provider: "openai" }));
  const panel = await screen.findByRole("region", { name: "OpenAI" });
  await waitFor(() => expect(within(panel).getByLabelText("API key")).toHaveFocus());

  act(() => go("providers", { kind: "configure_provider", provider: "anthropic" }));
  const setup = await screen.findByRole("region", { name: "Anthropic" });
  expect(within(setup).queryByRole("button", { name: "Disconnect" })).not.toBeInTheDocument();
});

test("an OpenAI-compatible connection shows the detected structured-output mode and saves an override", async () => {
  core.providers = [
    keyedItem("openai", {
      config: { base_url: "http://127.0.0.1:8080", structured_output: "auto", structured_output_detected: "json_object" },
    }),
  ];
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "OpenAI" }));
  const panel = await screen.findByRole("region", { name: "OpenAI" });
  const select = within(panel).getByRole("combobox", { name: "Structured output" });
  expect(select).toHaveValue("auto");
  expect(select).toHaveAccessibleDescription("Structured output: JSON object with schema (detected)");
  await userEvent.selectOptions(select, "Prompt only");
  await userEvent.click(within(panel).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(core.called("update_provider_config")).toHaveLength(1));
  expect(core.called("update_provider_config")[0]?.args).toMatchObject({
    provider: "openai",
    config: { base_url: "http://127.0.0.1:8080", structured_output: "prompt" },
  });
});

test("Ollama's panel shows the detected structured-output mode and saves the chosen one", async () => {
  core.providers = [{ ...OLLAMA_ITEM, config: { ...OLLAMA_ITEM.config, structured_output_detected: "json_object" } }];
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "Ollama" }));
  const panel = await screen.findByRole("region", { name: "Ollama" });
  const select = within(panel).getByRole("combobox", { name: "Structured output" });
  expect(select).toHaveValue("auto");
  expect(select).toHaveAccessibleDescription("Structured output: JSON object with schema (detected)");
  const save = within(panel).getByRole("button", { name: "Save" });
  expect(save).toBeDisabled();
  await userEvent.selectOptions(select, "JSON schema");
  expect(select).toHaveAccessibleDescription("Every request uses this mode; answers are validated the same way.");
  expect(save).toBeEnabled();
  await userEvent.click(save);
  await waitFor(() => expect(core.called("update_provider_config")).toHaveLength(1));
  expect(core.called("update_provider_config")[0]?.args).toMatchObject({
    provider: "ollama",
    config: { base_url: "http://localhost", port: 11434, structured_output: "json_schema" },
  });
});
