import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, expect, test } from "vitest";
import { commands } from "../../bindings";
import { clearToasts } from "../../components/toast";
import { resetNav } from "../../lib/nav";
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

test("disabling a routed provider asks first and names each task", async () => {
  core.providers = [OLLAMA_ITEM, keyedItem("openai")];
  core.routes = [
    { task: "categorization", provider: "openai", model: "gpt-4o-mini", batch_size: null },
    { task: "scoring", provider: "openai", model: "gpt-4o", batch_size: null },
  ];
  renderSection();
  const group = await screen.findByRole("group", { name: "OpenAI provider" });
  await userEvent.click(within(group).getByRole("switch", { name: "Enabled" }));

  const dialog = await screen.findByRole("alertdialog", { name: "Disable OpenAI?" });
  expect(dialog).toHaveTextContent("Categorization and Scoring use OpenAI");
  expect(core.called("set_provider_enabled")).toHaveLength(0);

  // Cancel keeps it enabled.
  await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
  await waitFor(() => expect(screen.queryByRole("alertdialog", { name: /Disable/ })).not.toBeInTheDocument());
  expect(within(group).getByRole("switch", { name: "Enabled" })).toBeChecked();

  await userEvent.click(within(group).getByRole("switch", { name: "Enabled" }));
  const again = await screen.findByRole("alertdialog", { name: "Disable OpenAI?" });
  await userEvent.click(within(again).getByRole("button", { name: "Disable" }));
  await waitFor(() => expect(core.called("set_provider_enabled")[0]?.args).toEqual({ provider: "openai", enabled: false }));
  await waitFor(() => expect(within(group).getByRole("switch", { name: "Enabled" })).not.toBeChecked());
  expect(screen.getByRole("button", { name: "OpenAI" })).toHaveAccessibleDescription("Disabled");
  expect(await findToast("OpenAI disabled.")).toBeInTheDocument();
});

test("disabling a provider no route uses needs no confirmation; enabling never does", async () => {
  core.providers = [keyedItem("anthropic")];
  core.routes = [{ task: "scoring", provider: "ollama", model: "qwen3:8b", batch_size: null }];
  renderSection();
  const group = await screen.findByRole("group", { name: "Anthropic provider" });
  await userEvent.click(within(group).getByRole("switch", { name: "Enabled" }));
  await waitFor(() => expect(core.called("set_provider_enabled")).toHaveLength(1));
  expect(screen.queryByRole("alertdialog", { name: /Disable/ })).not.toBeInTheDocument();
  await waitFor(() => expect(within(group).getByRole("switch", { name: "Enabled" })).not.toBeChecked());
  await userEvent.click(within(group).getByRole("switch", { name: "Enabled" }));
  await waitFor(() => expect(core.called("set_provider_enabled")[1]?.args).toEqual({ provider: "anthropic", enabled: true }));
});

test("the panel's Enabled switch asks the same question", async () => {
  core.providers = [OLLAMA_ITEM];
  core.routes = [{ task: "categorization", provider: "ollama", model: "qwen3:4b", batch_size: null }];
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "Ollama" }));
  const panel = await screen.findByRole("region", { name: "Ollama" });
  await userEvent.click(within(panel).getByRole("switch", { name: "Enabled" }));
  const dialog = await screen.findByRole("alertdialog", { name: "Disable Ollama?" });
  expect(dialog).toHaveTextContent("Categorization uses Ollama");
  expect(dialog).not.toHaveTextContent("Scoring");
  expect(within(dialog).getByRole("button", { name: "Disable" })).toBeInTheDocument();
});

test("disconnect asks first, names the tasks, then reports the removed routes", async () => {
  core.providers = [OLLAMA_ITEM, keyedItem("openai")];
  core.routes = [
    { task: "categorization", provider: "ollama", model: "qwen3:4b", batch_size: null },
    { task: "scoring", provider: "openai", model: "gpt-4o", batch_size: null },
  ];
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "Ollama" }));
  const panel = await screen.findByRole("region", { name: "Ollama" });
  await userEvent.click(within(panel).getByRole("button", { name: "Disconnect" }));

  const dialog = await screen.findByRole("alertdialog", { name: "Disconnect Ollama?" });
  expect(dialog).toHaveTextContent("Categorization");
  expect(dialog).not.toHaveTextContent("Scoring");
  expect(core.called("delete_provider")).toHaveLength(0);
  await userEvent.click(within(dialog).getByRole("button", { name: "Disconnect" }));

  await waitFor(() => expect(core.called("delete_provider")[0]?.args).toEqual({ provider: "ollama" }));
  expect(
    await findToast("Ollama disconnected. Routes removed: Categorization (qwen3:4b)."),
  ).toBeInTheDocument();
  await waitFor(() => expect(screen.queryByRole("button", { name: "Ollama" })).not.toBeInTheDocument());
  expect(screen.queryByRole("region", { name: "Ollama" })).not.toBeInTheDocument();
  expect(screen.getByRole("button", { name: "OpenAI" })).toBeInTheDocument();
});

test("disconnect of a provider without routes still confirms, and says it drops the key", async () => {
  core.providers = [keyedItem("openrouter")];
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "OpenRouter" }));
  const panel = await screen.findByRole("region", { name: "OpenRouter" });
  await userEvent.click(within(panel).getByRole("button", { name: "Disconnect" }));
  const dialog = await screen.findByRole("alertdialog", { name: "Disconnect OpenRouter?" });
  expect(dialog).toHaveTextContent("its stored API key");
  await userEvent.click(within(dialog).getByRole("button", { name: "Disconnect" }));
  expect(await findToast("OpenRouter disconnected.")).toBeInTheDocument();
  expect(await screen.findByText("No providers configured")).toBeInTheDocument();
});

test("a failed disconnect is announced and the provider stays", async () => {
  core.providers = [keyedItem("google")];
  core.handlers.delete_provider = () => {
    throw { code: "db_locked", message: "database is locked" };
  };
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "Google Gemini" }));
  await userEvent.click(within(await screen.findByRole("region", { name: "Google Gemini" })).getByRole("button", { name: "Disconnect" }));
  await userEvent.click(
    within(await screen.findByRole("alertdialog", { name: "Disconnect Google Gemini?" })).getByRole("button", { name: "Disconnect" }),
  );
  expect(
    await findToast(/Google Gemini was not disconnected: Another program is writing to the database/),
  ).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Google Gemini" })).toBeInTheDocument();
});

test("Remove (the key only) is offered once the core has the command, and names the tasks first", async () => {
  core.providers = [keyedItem("openai")];
  core.routes = [{ task: "scoring", provider: "openai", model: "gpt-4o", batch_size: null }];
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "OpenAI" }));
  let panel = await screen.findByRole("region", { name: "OpenAI" });
  expect(within(panel).getByText("•••• 9xyz — stored in the keychain")).toBeInTheDocument();
  expect(within(panel).queryByRole("button", { name: "Remove" })).not.toBeInTheDocument();
  await userEvent.click(within(panel).getByRole("button", { name: "Replace" }));
  expect(within(panel).getByLabelText("API key")).toHaveFocus();

  const calls: string[] = [];
  const cmds = commands as unknown as Record<string, unknown>;
  cmds.deleteProviderKey = async (provider: string) => {
    calls.push(provider);
    core.providers = [keyedItem("openai", { has_key: false, key_last4: null })];
    return { status: "ok", data: core.providers[0] };
  };
  try {
    // Reopen the panel so it looks for the command again.
    await userEvent.click(screen.getByRole("button", { name: "OpenAI" }));
    await userEvent.click(screen.getByRole("button", { name: "OpenAI" }));
    panel = await screen.findByRole("region", { name: "OpenAI" });
    await userEvent.click(within(panel).getByRole("button", { name: "Remove" }));
    const dialog = await screen.findByRole("alertdialog", { name: "Remove the OpenAI API key?" });
    expect(dialog).toHaveTextContent("Scoring uses OpenAI");
    await userEvent.click(within(dialog).getByRole("button", { name: "Remove" }));
    expect(await findToast("The OpenAI API key was removed.")).toBeInTheDocument();
    expect(calls).toEqual(["openai"]);
    await waitFor(() => expect(within(panel).getByText("No API key is stored. Enter one to connect.")).toBeInTheDocument());
  } finally {
    delete cmds.deleteProviderKey;
  }
});
