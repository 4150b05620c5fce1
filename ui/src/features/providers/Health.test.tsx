import { useQuery } from "@tanstack/react-query";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, expect, test } from "vitest";
import { clearToasts } from "../../components/toast";
import { readinessQuery } from "../../lib/queries";
import { keys } from "../../lib/queryKeys";
import { resetNav } from "../../lib/nav";
import { resetPulls } from "./pulls";
import { healthQuery, HEALTH_INTERVAL_MS, invalidateKeys, resetHealthMemory } from "./queries";
import { resetSession } from "./session";
import { FakeCore, keyedItem, newClient, OLLAMA_ITEM, renderSection } from "./test-utils";

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

function ReadinessObserver() {
  useQuery(readinessQuery());
  return null;
}

test("health is polled every 20 s, only while the window is visible", () => {
  const q = healthQuery("openai", true);
  expect(HEALTH_INTERVAL_MS).toBe(20_000);
  expect(q.refetchInterval).toBe(20_000);
  expect(q.refetchIntervalInBackground).toBe(false);
  expect(healthQuery("openai", false).enabled).toBe(false);
});

test("readiness is re-read when a provider's health changes, not on every poll", async () => {
  core.providers = [OLLAMA_ITEM];
  const client = newClient();
  renderSection(client, <ReadinessObserver />);
  const card = await screen.findByRole("button", { name: "Ollama" });
  await waitFor(() => expect(card).toHaveAccessibleDescription(/Connected/));
  await waitFor(() => expect(core.called("task_readiness")).toHaveLength(1));

  // Same answer again: readiness is left alone.
  await act(() => client.refetchQueries({ queryKey: keys.health("ollama") }));
  expect(core.called("task_readiness")).toHaveLength(1);

  // Ollama stops answering: the card says so and readiness is re-read at once.
  core.ollamaConnected = false;
  await act(() => client.refetchQueries({ queryKey: keys.health("ollama") }));
  await waitFor(() => expect(card).toHaveAccessibleDescription(/Unreachable/));
  await waitFor(() => expect(core.called("task_readiness")).toHaveLength(2));

  // And back.
  core.ollamaConnected = true;
  await act(() => client.refetchQueries({ queryKey: keys.health("ollama") }));
  await waitFor(() => expect(card).toHaveAccessibleDescription(/Connected/));
  await waitFor(() => expect(core.called("task_readiness")).toHaveLength(3));
});

test("never more than one health request in flight per provider", async () => {
  core.providers = [keyedItem("openai")];
  const pending: ((v: unknown) => void)[] = [];
  core.handlers.test_provider = () => new Promise((r) => pending.push(r));
  const client = newClient();
  renderSection(client);
  await screen.findByRole("button", { name: "OpenAI" });
  await waitFor(() => expect(core.called("test_provider")).toHaveLength(1));
  // A save elsewhere invalidates health while the check is still running.
  await act(async () => {
    void invalidateKeys(client, [keys.health("openai")]);
    void invalidateKeys(client, [keys.health("openai")]);
  });
  expect(core.called("test_provider")).toHaveLength(1);
  await act(async () => pending[0]?.({ ok: true, latency_ms: 40, version: null, error: null }));
  await waitFor(() =>
    expect(screen.getByRole("button", { name: "OpenAI" })).toHaveAccessibleDescription(/Connected · 40 ms/),
  );
});

test("keyboard only: add a provider, the dialog traps focus, the panel takes the cursor", async () => {
  const user = userEvent.setup();
  renderSection();
  const add = await screen.findByRole("button", { name: "Add provider" });
  add.focus();
  await user.keyboard("{Enter}");
  const dialog = await screen.findByRole("dialog", { name: "Add provider" });
  await waitFor(() => expect(dialog.contains(document.activeElement)).toBe(true));
  // Tab cycles inside the dialog.
  for (let i = 0; i < 8; i++) {
    await user.tab();
    expect(dialog.contains(document.activeElement)).toBe(true);
  }
  const openrouter = within(dialog).getByRole("button", { name: "OpenRouter" });
  openrouter.focus();
  await user.keyboard("{Enter}");
  const panel = await screen.findByRole("region", { name: "OpenRouter" });
  await waitFor(() => expect(within(panel).getByLabelText("API key")).toHaveFocus());
  await user.keyboard("or-key-123");
  await user.tab();
  expect(within(panel).getByRole("textbox", { name: "Base URL" })).toHaveFocus();
  await user.keyboard("{Enter}");
  await waitFor(() => expect(core.called("update_provider_config")).toHaveLength(1));
  expect(core.called("update_provider_config")[0]?.args).toMatchObject({ provider: "openrouter", apiKey: "or-key-123" });
});
