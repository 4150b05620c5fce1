import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, expect, test, vi } from "vitest";
import { toast } from "../../components/toast";
import { KINDS, MODELS, mockCommands, provider, READY, renderWithClient, routes } from "../../lib/test-utils";
import { Shell } from "./Shell";

// The Providers section is tested on its own; here it only has to be there.
vi.mock("../providers/ProvidersSection", () => ({
  ProvidersSection: () => (
    <section aria-labelledby="p-title">
      <h1 id="p-title">Providers</h1>
    </section>
  ),
}));

afterEach(() => {
  clearMocks();
  delete document.documentElement.dataset.theme;
  vi.unstubAllGlobals();
});

const COUNTS = { queued: 0, running: 0, done: 0, failed: 0 };

const handlers = {
  app_status: () => ({ db_path: "/d.db", schema_version: 3, app_version: "0.1.0" }),
  list_backups: () => [],
  provider_kinds: () => KINDS,
  list_providers: () => [provider("ollama")],
  list_models: () => MODELS,
  get_task_routes: () => routes(["ollama", "gemma3:12b"]),
  task_readiness: () => READY,
  ollama_health: () => ({ connected: true, version: "0.9.0", latency_ms: 3 }),
  queue_status: () => ({ categorization: COUNTS, scoring: COUNTS, paused: [] }),
  queue_last_failures: () => [],
};

function renderShell(prefs: Record<string, unknown> = {}) {
  const mock = mockCommands(handlers, prefs);
  renderWithClient(<Shell />);
  return mock;
}

test("the sidebar names the four sections, in order", async () => {
  renderShell();
  const nav = screen.getByRole("navigation", { name: "Settings sections" });
  expect(within(nav).getAllByRole("button").map((b) => b.textContent)).toEqual([
    "Providers",
    "Task routes",
    "Models",
    "Database",
  ]);
  expect(await screen.findByRole("heading", { name: "Providers" })).toBeInTheDocument();
});

test("the section open last time is reopened, and a new choice is saved", async () => {
  const { store } = renderShell({ section: "routes" });
  expect(await screen.findByRole("heading", { level: 1, name: "Task routes" })).toBeInTheDocument();
  await userEvent.click(screen.getByRole("button", { name: "Database" }));
  await waitFor(() => expect(store.get("section")).toBe("database"));
  expect(screen.getByRole("button", { name: "Database" })).toHaveAttribute("aria-current", "page");
});

test("the sidebar is operated from the keyboard", async () => {
  renderShell();
  await screen.findByRole("heading", { name: "Providers" });
  const user = userEvent.setup();
  await user.tab();
  expect(screen.getByRole("button", { name: "Providers" })).toHaveFocus();
  await user.keyboard("{ArrowDown}");
  expect(screen.getByRole("button", { name: "Task routes" })).toHaveFocus();
  await user.keyboard("{End}");
  expect(screen.getByRole("button", { name: "Database" })).toHaveFocus();
  await user.keyboard("{Enter}");
  expect(await screen.findByRole("heading", { level: 1, name: "Database" })).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Database" })).toHaveAttribute("aria-current", "page");
});

test("the theme choice is kept in the store and put on the root element", async () => {
  const { store } = renderShell();
  const group = screen.getByRole("radiogroup", { name: "Theme" });
  expect(within(group).getByRole("radio", { name: "System" })).toBeChecked();
  await userEvent.click(within(group).getByRole("radio", { name: "Dark" }));
  await waitFor(() => expect(store.get("theme")).toBe("dark"));
  expect(document.documentElement.dataset.theme).toBe("dark");
  await userEvent.click(within(group).getByRole("radio", { name: "Light" }));
  expect(document.documentElement.dataset.theme).toBe("light");
});

test("a saved theme is applied at start; System follows the OS", async () => {
  const listeners: (() => void)[] = [];
  let dark = true;
  vi.stubGlobal("matchMedia", (q: string) => ({
    get matches() {
      return q.includes("dark") && dark;
    },
    addEventListener: (_: string, l: () => void) => listeners.push(l),
    removeEventListener: () => {},
  }));
  renderShell({ theme: "system" });
  await waitFor(() => expect(document.documentElement.dataset.theme).toBe("dark"));
  dark = false;
  act(() => listeners.forEach((l) => l()));
  expect(document.documentElement.dataset.theme).toBe("light");
});

test("no text in any section talks about unfinished work", async () => {
  renderShell();
  const user = userEvent.setup();
  const unfinished = /until this|coming soon|not yet|placeholder|lands|command line|curator (routes|providers)|TODO|later/i;
  for (const [button, heading] of [
    ["Task routes", "Task routes"],
    ["Models", "Models"],
    ["Database", "Database"],
    ["Providers", "Providers"],
  ]) {
    await user.click(screen.getByRole("button", { name: button }));
    await screen.findByRole("heading", { level: 1, name: heading });
    await waitFor(() => expect(screen.queryAllByRole("status", { name: "Loading" })).toHaveLength(0));
    expect(document.body.textContent).not.toMatch(unfinished);
  }
});

test("leaving Task routes with unsaved changes asks first", async () => {
  renderShell({ section: "routes" });
  const user = userEvent.setup();
  await user.click(await screen.findByRole("switch", { name: "Use separate models" }));
  await user.click(screen.getByRole("button", { name: "Database" }));
  const dialog = await screen.findByRole("alertdialog", { name: "Discard unsaved changes?" });
  await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
  expect(screen.getByRole("heading", { level: 1, name: "Task routes" })).toBeInTheDocument();
  expect(screen.getByRole("switch", { name: "Use separate models" })).toBeChecked();

  await user.click(screen.getByRole("button", { name: "Database" }));
  await user.click(
    within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Discard changes" }),
  );
  expect(await screen.findByRole("heading", { level: 1, name: "Database" })).toBeInTheDocument();
});

test("toasts are announced in the window's notification region and can be dismissed", async () => {
  renderShell();
  act(() => toast("Task routes saved.", "success"));
  const region = await screen.findByRole("region", { name: "Notifications" });
  expect(within(region).getByText("Task routes saved.")).toBeInTheDocument();
  await userEvent.click(within(region).getByRole("button", { name: "Dismiss notification" }));
  await waitFor(() => expect(screen.queryByText("Task routes saved.")).not.toBeInTheDocument());
});

test("each section is loaded when it is first opened and shows its content", async () => {
  renderShell();
  const user = userEvent.setup();
  await screen.findByRole("heading", { level: 1, name: "Providers" });
  // Sections not opened yet are not in the page at all.
  expect(screen.queryByRole("heading", { level: 1, name: "Database" })).toBeNull();

  await user.click(screen.getByRole("button", { name: "Task routes" }));
  expect(await screen.findByRole("heading", { level: 1, name: "Task routes" })).toBeInTheDocument();
  expect(await screen.findAllByText(/Categorization/)).not.toHaveLength(0);

  await user.click(screen.getByRole("button", { name: "Models" }));
  expect(await screen.findByRole("heading", { level: 1, name: "Models" })).toBeInTheDocument();

  await user.click(screen.getByRole("button", { name: "Database" }));
  expect(await screen.findByRole("heading", { level: 1, name: "Database" })).toBeInTheDocument();
  expect(await screen.findByText("/d.db")).toBeInTheDocument();
  // Once a section is in, its placeholder is gone.
  expect(document.querySelector(".section-loading")).toBeNull();
});
