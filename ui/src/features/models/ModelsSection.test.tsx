import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, expect, test } from "vitest";
import { ToastRegion } from "../../components/toast";
import { KINDS, model, mockCommands, never, renderWithClient, type Handler } from "../../lib/test-utils";
import { ModelsSection } from "./ModelsSection";

afterEach(() => clearMocks());

const GiB = 1024 ** 3;

const mixed = {
  models: [
    model("ollama", "gemma3:12b", { size: 7.6 * GiB, is_loaded: true }),
    model("openrouter", "meta/llama-3-8b", { context_length: 8192, display_name: "Llama 3 8B" }),
  ],
  providers: [
    { provider: "ollama", status: "ok", count: 1, age_s: 0, error: null },
    { provider: "openai", status: "error", count: 0, age_s: null, error: { code: "auth_failed", message: "OpenAI rejected the API key" } },
    {
      provider: "openrouter",
      status: "stale",
      count: 1,
      age_s: 720,
      error: { code: "timeout", message: "OpenRouter did not answer within 5 s" },
    },
  ],
};

function setup(handlers: Record<string, Handler>) {
  const mock = mockCommands({ provider_kinds: () => KINDS, task_readiness: () => ({}), ...handlers });
  renderWithClient(
    <>
      <ModelsSection />
      <ToastRegion />
    </>,
  );
  return mock;
}

test("a placeholder while the lists load", async () => {
  setup({ list_models: never });
  expect(await screen.findByRole("status", { name: "Loading" })).toBeInTheDocument();
});

test("one provider failing does not hide the others; a stale list shows its age and why", async () => {
  setup({ list_models: () => mixed });
  const ollama = await screen.findByRole("region", { name: "Ollama" });
  expect(within(ollama).getByText("1 model")).toBeInTheDocument();
  expect(within(ollama).getByRole("cell", { name: "gemma3:12b" })).toBeInTheDocument();
  expect(within(ollama).getByRole("cell", { name: "7.6 GB" })).toBeInTheDocument();

  const openai = screen.getByRole("region", { name: "OpenAI" });
  expect(within(openai).getByText("OpenAI rejected the API key.")).toBeInTheDocument();
  expect(within(openai).queryByRole("table")).not.toBeInTheDocument();

  const openrouter = screen.getByRole("region", { name: "OpenRouter" });
  expect(screen.getByTestId("list-status-openrouter")).toHaveTextContent(
    "1 model, last listed 12 min ago. OpenRouter did not answer within 5 s.",
  );
  expect(within(openrouter).getByRole("cell", { name: /meta\/llama-3-8b/ })).toBeInTheDocument();
  expect(within(openrouter).getByRole("cell", { name: "8k" })).toBeInTheDocument();
});

test("Refresh asks every provider again and shows the new lists", async () => {
  const { called } = setup({
    list_models: (a) =>
      a.refresh
        ? { ...mixed, providers: mixed.providers.map((p) => ({ ...p, status: "ok", error: null, age_s: 0 })) }
        : mixed,
  });
  await screen.findByRole("region", { name: "OpenAI" });
  await userEvent.click(screen.getByRole("button", { name: "Refresh" }));
  await waitFor(() => expect(called("list_models").some((c) => c.args.refresh === true)).toBe(true));
  await waitFor(() => expect(screen.getByTestId("list-status-openrouter")).toHaveTextContent(/^1 model$/));
  expect(await screen.findByText("Model lists refreshed.")).toBeInTheDocument();
});

test("a failed command shows its sentence with Retry", async () => {
  let fail = true;
  setup({
    list_models: () => {
      if (fail) throw { code: "db", message: "no such table" };
      return mixed;
    },
  });
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("The database reported an error.");
  fail = false;
  await userEvent.click(within(alert).getByRole("button", { name: "Retry" }));
  expect(await screen.findByRole("region", { name: "Ollama" })).toBeInTheDocument();
});

test("no enabled provider: says so and offers to add one", async () => {
  setup({ list_models: () => ({ models: [], providers: [] }) });
  expect(await screen.findByText("No provider is enabled, so no models are offered.")).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Add provider" })).toBeInTheDocument();
});
