import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, beforeEach, expect, test } from "vitest";
import { clearToasts } from "../../components/toast";
import { resetNav } from "../../lib/nav";
import { resetPulls } from "./pulls";
import { resetHealthMemory } from "./queries";
import { resetSession } from "./session";
import { FakeCore, findToast, newClient, OLLAMA_ITEM, renderSection } from "./test-utils";

let core: FakeCore;

beforeEach(() => {
  core = new FakeCore().install();
  core.providers = [OLLAMA_ITEM];
  core.ollamaModels = [
    { name: "llama3.2:latest", size: 2_019_393_189, parameter_size: "3.2B", quantization_level: "Q4_K_M", is_loaded: false },
    { name: "qwen3:8b", size: 5_200_000_000, parameter_size: "8.2B", quantization_level: "Q4_K_M", is_loaded: true },
  ];
});

afterEach(() => {
  clearMocks();
  clearToasts();
  resetSession();
  resetPulls();
  resetHealthMemory();
  resetNav();
});

async function openOllama() {
  await userEvent.click(await screen.findByRole("button", { name: "Ollama" }));
  return screen.findByRole("region", { name: "Ollama" });
}

test("lists installed models (curated first) with size and loaded, and the health line", async () => {
  renderSection();
  const panel = await openOllama();
  expect(await within(panel).findByText("Connected · 12 ms · v0.6.1")).toBeInTheDocument();
  const rows = await within(panel).findAllByRole("button", { name: /^Remove / });
  expect(rows.map((b) => b.textContent)).toEqual(["Remove qwen3:8b", "Remove llama3.2:latest"]);
  const qwen = rows[0]!.closest("li")!;
  expect(qwen).toHaveTextContent("4.8 GB · 8.2B · Q4_K_M");
  expect(qwen).toHaveTextContent("loaded");
  expect(rows[1]!.closest("li")).not.toHaveTextContent("loaded");
  // Suggested: the curated models not installed yet.
  for (const m of ["qwen3:1.7b", "qwen3:4b", "phi4-mini", "gemma3:12b"]) {
    expect(within(panel).getByRole("button", { name: `Pull ${m}` })).toBeInTheDocument();
  }
  expect(within(panel).queryByRole("button", { name: "Pull qwen3:8b" })).not.toBeInTheDocument();
});

test("while Ollama is down the list says why instead of looking empty", async () => {
  core.ollamaConnected = false;
  renderSection();
  const card = await screen.findByRole("button", { name: "Ollama" });
  await waitFor(() =>
    expect(card).toHaveAccessibleDescription(/Unreachable — nothing answers at http:\/\/localhost:11434/),
  );
  const panel = await openOllama();
  expect(await within(panel).findByText(/Not reachable at http:\/\/localhost:11434 — is Ollama running\?/)).toBeInTheDocument();
  expect(within(panel).getByText("Ollama is not reachable, so its installed models cannot be listed.")).toBeInTheDocument();
  expect(within(panel).queryByText("No models installed yet.")).not.toBeInTheDocument();
});

test("Remove asks first and names the routes using the model", async () => {
  core.routes = [
    { task: "categorization", provider: "ollama", model: "qwen3:8b", batch_size: null },
    { task: "scoring", provider: "ollama", model: "qwen3:8b", batch_size: null },
  ];
  renderSection();
  const panel = await openOllama();
  await userEvent.click(await within(panel).findByRole("button", { name: "Remove qwen3:8b" }));
  const dialog = await screen.findByRole("alertdialog", { name: "Delete qwen3:8b?" });
  expect(dialog).toHaveTextContent("Categorization and Scoring use this model");
  expect(core.called("ollama_delete_model")).toHaveLength(0);
  await userEvent.click(within(dialog).getByRole("button", { name: "Delete" }));
  await waitFor(() => expect(core.called("ollama_delete_model")[0]?.args).toEqual({ model: "qwen3:8b" }));
  expect(
    await findToast(
      "Deleted qwen3:8b. Categorization and Scoring are paused until you choose another model or pull it again.",
    ),
  ).toBeInTheDocument();
  await waitFor(() => expect(within(panel).queryByRole("button", { name: "Remove qwen3:8b" })).not.toBeInTheDocument());
});

test("pull shows percent, speed and status, and Cancel stops it at once", async () => {
  renderSection();
  const panel = await openOllama();
  await userEvent.click(await within(panel).findByRole("button", { name: "Pull qwen3:4b" }));
  await waitFor(() => expect(core.pulls.has("qwen3:4b")).toBe(true));
  const bar = await within(panel).findByRole("progressbar", { name: "Pulling qwen3:4b" });
  expect(within(panel).getByRole("button", { name: "Pulling qwen3:4b" })).toBeDisabled();

  act(() => core.progress("qwen3:4b", { status: "pulling manifest" }));
  await waitFor(() => expect(bar.closest("li")).toHaveTextContent("0% • pulling manifest"));
  act(() => core.progress("qwen3:4b", { status: "pulling 6a0746a1ec1a", digest: "sha256:6a07", total: 2_000_000_000, completed: 0 }));
  await new Promise((r) => setTimeout(r, 60));
  act(() =>
    core.progress("qwen3:4b", { status: "pulling 6a0746a1ec1a", digest: "sha256:6a07", total: 2_000_000_000, completed: 500_000_000 }),
  );
  await waitFor(() => expect(bar).toHaveAttribute("aria-valuenow", "25"));
  expect(bar.closest("li")!.textContent).toMatch(/25% • [\d.]+ (MB|KB)\/s • pulling 6a0746a1ec1a/);

  await userEvent.click(within(panel).getByRole("button", { name: "Cancel qwen3:4b" }));
  // Gone at once, before the core even answers.
  expect(within(panel).queryByRole("progressbar", { name: "Pulling qwen3:4b" })).not.toBeInTheDocument();
  await waitFor(() => expect(core.called("ollama_cancel_pull")[0]?.args).toEqual({ model: "qwen3:4b" }));
  expect(within(panel).getByRole("button", { name: "Pull qwen3:4b" })).toBeEnabled();
  // The panel itself stays open (the pull's Cancel is not the panel's).
  expect(screen.getByRole("region", { name: "Ollama" })).toBeInTheDocument();
});

test("several pulls run at once, each with its own progress; a custom name pulls too", async () => {
  renderSection();
  const panel = await openOllama();
  await userEvent.click(await within(panel).findByRole("button", { name: "Pull qwen3:1.7b" }));
  await userEvent.click(within(panel).getByRole("button", { name: "Pull phi4-mini" }));
  const custom = within(panel).getByRole("textbox", { name: "Model to pull" });
  await userEvent.click(within(panel).getByRole("button", { name: "Pull" }));
  expect(custom).toHaveAccessibleDescription(/Enter a model name/);
  await userEvent.type(custom, "mistral:7b{Enter}");
  expect(custom).toHaveValue("");
  await waitFor(() => expect([...core.pulls.keys()].sort()).toEqual(["mistral:7b", "phi4-mini:latest", "qwen3:1.7b"]));

  act(() => core.progress("qwen3:1.7b", { status: "pulling a", digest: "a", total: 1000, completed: 100 }));
  act(() => core.progress("phi4-mini:latest", { status: "pulling b", digest: "b", total: 1000, completed: 730 }));
  await waitFor(() => expect(within(panel).getByRole("progressbar", { name: "Pulling qwen3:1.7b" })).toHaveAttribute("aria-valuenow", "10"));
  expect(within(panel).getByRole("progressbar", { name: "Pulling phi4-mini:latest" })).toHaveAttribute("aria-valuenow", "73");
  expect(within(panel).getByRole("progressbar", { name: "Pulling mistral:7b" })).toHaveAttribute("aria-valuenow", "0");

  // One finishes: it is announced and the installed list is refreshed.
  const listsBefore = core.called("ollama_list_models").length;
  core.ollamaModels = [...core.ollamaModels, { name: "qwen3:1.7b", size: 1_100_000_000, parameter_size: "1.7B", quantization_level: "Q4_K_M", is_loaded: false }];
  act(() => core.finishPull("qwen3:1.7b"));
  expect(await findToast("Pulled qwen3:1.7b.")).toBeInTheDocument();
  await waitFor(() => expect(within(panel).queryByRole("progressbar", { name: "Pulling qwen3:1.7b" })).not.toBeInTheDocument());
  await waitFor(() => expect(core.called("ollama_list_models").length).toBeGreaterThan(listsBefore));
  expect(await within(panel).findByRole("button", { name: "Remove qwen3:1.7b" })).toBeInTheDocument();
  expect(within(panel).getByRole("progressbar", { name: "Pulling phi4-mini:latest" })).toBeInTheDocument();

  // One fails: its message stays until dismissed.
  act(() => core.failPull("mistral:7b", { code: "model_not_found", message: "pull model manifest: file does not exist" }));
  expect(await within(panel).findByText(/Could not pull mistral:7b: Pull model manifest: file does not exist\./)).toBeInTheDocument();
  await userEvent.click(within(panel).getByRole("button", { name: "Dismiss mistral:7b" }));
  expect(within(panel).queryByText(/Could not pull mistral:7b/)).not.toBeInTheDocument();
});

test("a pull survives leaving the section and shows again on return", async () => {
  const client = newClient();
  const first = renderSection(client);
  const panel = await openOllama();
  await userEvent.click(await within(panel).findByRole("button", { name: "Pull gemma3:12b" }));
  await waitFor(() => expect(core.pulls.has("gemma3:12b")).toBe(true));
  act(() => core.progress("gemma3:12b", { status: "pulling x", digest: "x", total: 1000, completed: 200 }));
  first.unmount();

  // Progress keeps arriving while the section is closed.
  act(() => core.progress("gemma3:12b", { status: "pulling x", digest: "x", total: 1000, completed: 500 }));
  renderSection(client);
  const card = await screen.findByRole("button", { name: "Ollama" });
  await waitFor(() => expect(card).toHaveAccessibleDescription(/Pulling gemma3:12b · 50%/));
  const again = await screen.findByRole("region", { name: "Ollama" }); // the open panel is remembered too
  const bar = within(again).getByRole("progressbar", { name: "Pulling gemma3:12b" });
  expect(bar).toHaveAttribute("aria-valuenow", "50");
  act(() => core.progress("gemma3:12b", { status: "verifying sha256 digest", digest: "x", total: 1000, completed: 1000 }));
  await waitFor(() => expect(bar).toHaveAttribute("aria-valuenow", "100"));
  // The core's list of pulls was read on return.
  expect(core.called("ollama_pulls").length).toBeGreaterThanOrEqual(2);
});

test("a pull the window has no stream for (after a reload) is shown from ollama_pulls and cleared when it ends", async () => {
  core.running = ["qwen3:4b"];
  renderSection();
  const card = await screen.findByRole("button", { name: "Ollama" });
  await waitFor(() => expect(card).toHaveAccessibleDescription(/Pulling qwen3:4b/));
  const panel = await openOllama();
  const bar = within(panel).getByRole("progressbar", { name: "Pulling qwen3:4b" });
  expect(bar).not.toHaveAttribute("aria-valuenow");
  core.running = [];
  await waitFor(() => expect(within(panel).queryByRole("progressbar", { name: "Pulling qwen3:4b" })).not.toBeInTheDocument(), {
    timeout: 3000,
  });
});
