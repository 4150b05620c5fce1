import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, expect, test } from "vitest";
import { clearToasts } from "../../components/toast";
import { resetNav } from "../../lib/nav";
import { resetPulls } from "./pulls";
import { resetHealthMemory } from "./queries";
import { resetSession } from "./session";
import { catalogModel, FakeCore, keyedItem, renderSection } from "./test-utils";

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

const SEEN = ["gpt-4o", "gpt-4o-mini", "o3", "mistral-médium"];

function setup(selected: string[]) {
  core.providers = [
    keyedItem("openai", { config: { base_url: null, selected_models: selected, batch_size: 5, timeout_s: 15 } }),
  ];
  core.catalogs.openai = [
    catalogModel("openai", "gpt-4o", { context_length: 128000, display_name: "GPT-4o" }),
    catalogModel("openai", "gpt-4o-mini"),
    catalogModel("openai", "o3"),
    catalogModel("openai", "mistral-médium"),
    catalogModel("openai", "gpt-5"),
    catalogModel("openai", "gpt-5-mini"),
  ];
}

async function openPanel() {
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "OpenAI" }));
  return screen.findByRole("region", { name: "OpenAI" });
}

test("search is case- and accent-insensitive; expose/hide all shown; count; New models stay hidden", async () => {
  setup(["gpt-4o"]);
  core.prefs.set("catalog-seen.openai", SEEN);
  core.routes = [{ task: "scoring", provider: "openai", model: "gpt-4o", batch_size: null, fallback: null }];
  const panel = await openPanel();

  const count = await within(panel).findByText(/of 6 exposed/);
  await waitFor(() => expect(count).toHaveTextContent("1 of 6 exposed · 2 new since the last refresh"));
  // Models that appeared since the last refresh: marked New, not exposed by themselves.
  const gpt5 = within(panel).getByRole("checkbox", { name: "gpt-5" });
  expect(gpt5).not.toBeChecked();
  expect(gpt5).toHaveAccessibleDescription(/New/);
  expect(within(panel).getByRole("checkbox", { name: "gpt-5-mini" })).toHaveAccessibleDescription(/New/);
  expect(within(panel).getByRole("checkbox", { name: "gpt-4o" })).not.toHaveAccessibleDescription(/New/);
  expect(within(panel).getByRole("checkbox", { name: "gpt-4o" })).toBeChecked();
  expect(within(panel).getByRole("checkbox", { name: "gpt-4o" })).toHaveAccessibleDescription("GPT-4o · 128k tokens");
  // The ids now seen are remembered for the next refresh.
  await waitFor(() => expect(core.prefs.get("catalog-seen.openai")).toHaveLength(6));

  const search = within(panel).getByRole("searchbox", { name: "Search models" });
  await userEvent.type(search, "MEDIUM");
  await waitFor(() => expect(within(panel).getAllByRole("checkbox")).toHaveLength(1));
  expect(within(panel).getByRole("checkbox", { name: "mistral-médium" })).not.toBeChecked();
  await userEvent.click(within(panel).getByRole("button", { name: "Expose all shown" }));
  expect(count).toHaveTextContent("2 of 6 exposed");
  expect(within(panel).getByRole("checkbox", { name: "mistral-médium" })).toBeChecked();

  await userEvent.clear(search);
  await userEvent.type(search, "gpt");
  await waitFor(() => expect(within(panel).getAllByRole("checkbox")).toHaveLength(4));
  await userEvent.click(within(panel).getByRole("button", { name: "Hide all shown" }));
  expect(count).toHaveTextContent("1 of 6 exposed");

  // Hiding the model Scoring uses asks first.
  await userEvent.click(within(panel).getByRole("button", { name: "Save" }));
  const dialog = await screen.findByRole("alertdialog", { name: "Hide a model in use?" });
  expect(dialog).toHaveTextContent("Scoring uses a model this change hides");
  await userEvent.click(within(dialog).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(core.called("update_provider_config")).toHaveLength(1));
  expect(core.called("update_provider_config")[0]?.args).toEqual({
    provider: "openai",
    config: { base_url: null, selected_models: ["mistral-médium"], batch_size: 5, timeout_s: 15, structured_output: "auto" },
    apiKey: null,
  });
});

test("with none chosen the count says All models; choosing one makes the choice explicit", async () => {
  setup([]);
  const panel = await openPanel();
  const count = await within(panel).findByText(/All models/);
  expect(count).toHaveTextContent("All models (6 exposed)");
  // No earlier list: nothing is marked New the first time.
  expect(within(panel).queryByText("New")).not.toBeInTheDocument();
  expect(within(panel).getByRole("checkbox", { name: "o3" })).not.toBeChecked();
  await userEvent.type(within(panel).getByRole("searchbox", { name: "Search models" }), "O3");
  await userEvent.click(within(panel).getByRole("checkbox", { name: "o3" }));
  expect(count).toHaveTextContent("1 of 6 exposed");
  await userEvent.click(within(panel).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(core.called("update_provider_config")).toHaveLength(1));
  expect(core.called("update_provider_config")[0]?.args.config).toMatchObject({ selected_models: ["o3"] });
});

test("saved from the keyboard, the focus stays in the panel and Escape still closes it", async () => {
  setup([]);
  const user = userEvent.setup();
  const panel = await openPanel();
  await within(panel).findByText(/All models/);
  await user.click(within(panel).getByRole("checkbox", { name: "o3" }));
  within(panel).getByRole("button", { name: "Save" }).focus();
  await user.keyboard("{Enter}");
  await waitFor(() => expect(core.called("update_provider_config")).toHaveLength(1));
  // Save is disabled once saved; the focus went to the panel's title, not to the page.
  await waitFor(() => expect(within(panel).getByRole("heading", { name: "OpenAI" })).toHaveFocus());
  await user.keyboard("{Escape}");
  await waitFor(() => expect(screen.queryByRole("region", { name: "OpenAI" })).not.toBeInTheDocument());
});

test("clearing the choice exposes every model again", async () => {
  setup(["o3", "gpt-5"]);
  const panel = await openPanel();
  const count = await within(panel).findByText("2 of 6 exposed");
  await userEvent.click(within(panel).getByRole("button", { name: "Expose every model" }));
  expect(count).toHaveTextContent("All models (6 exposed)");
  expect(within(panel).queryByRole("button", { name: "Expose every model" })).not.toBeInTheDocument();
  await userEvent.click(within(panel).getByRole("button", { name: "Save" }));
  await waitFor(() => expect(core.called("update_provider_config")).toHaveLength(1));
  expect(core.called("update_provider_config")[0]?.args.config).toMatchObject({ selected_models: [] });
});

test("a 1,000-model catalog renders only a window of rows and searches fast", async () => {
  core.providers = [keyedItem("openrouter")];
  core.catalogs.openrouter = Array.from({ length: 1000 }, (_, i) =>
    catalogModel("openrouter", `vendor/model-${String(i).padStart(4, "0")}`, { context_length: 32768 }),
  );
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "OpenRouter" }));
  const panel = await screen.findByRole("region", { name: "OpenRouter" });
  await within(panel).findByText("All models (1000 exposed)");
  const rendered = within(panel).getAllByRole("checkbox").length;
  expect(rendered).toBeGreaterThan(3);
  expect(rendered).toBeLessThan(40);
  const search = within(panel).getByRole("searchbox", { name: "Search models" });
  const t0 = performance.now();
  await userEvent.type(search, "0999");
  await waitFor(() => expect(within(panel).getAllByRole("checkbox")).toHaveLength(1));
  expect(within(panel).getByRole("checkbox", { name: "vendor/model-0999" })).not.toBeChecked();
  expect(performance.now() - t0).toBeLessThan(3000);
});

test("a failing catalog shows its sentence and Retry, and the panel stays usable", async () => {
  core.providers = [keyedItem("anthropic")];
  core.handlers.list_provider_catalog = () => {
    throw { code: "timeout", message: "Anthropic did not answer within 15 s" };
  };
  renderSection();
  await userEvent.click(await screen.findByRole("button", { name: "Anthropic" }));
  const panel = await screen.findByRole("region", { name: "Anthropic" });
  const alert = await within(panel).findByRole("alert");
  expect(alert).toHaveTextContent("Anthropic did not answer within 15 s.");
  expect(within(panel).getByRole("textbox", { name: "Base URL" })).toBeEnabled();
});
