import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, expect, test } from "vitest";
import { Shell } from "./Shell";

afterEach(() => clearMocks());

const status = { db_path: "/d.db", schema_version: 3, app_version: "0.1.0" };

function renderShell() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <Shell />
    </QueryClientProvider>,
  );
}

test("the section open last time is reopened, and a new choice is saved", async () => {
  const saved: unknown[] = [];
  mockIPC((cmd, args) => {
    if (cmd === "plugin:store|load") return 7;
    if (cmd === "plugin:store|get") return ["routes", true];
    if (cmd === "plugin:store|set") saved.push((args as { value: unknown }).value);
    if (cmd.startsWith("plugin:store|")) return null;
    return status;
  });
  renderShell();
  expect(await screen.findByRole("heading", { name: "Task routes" })).toBeInTheDocument();
  await userEvent.click(screen.getByRole("button", { name: "Database" }));
  await waitFor(() => expect(saved).toContain("database"));
});

test("the sidebar switches sections from the keyboard", async () => {
  mockIPC((cmd) => (cmd.startsWith("plugin:store|") ? null : status));
  renderShell();
  expect(screen.getByRole("heading", { name: "Database" })).toBeInTheDocument();
  const user = userEvent.setup();
  await user.tab();
  expect(screen.getByRole("button", { name: "Providers" })).toHaveFocus();
  await user.keyboard("{Enter}");
  expect(screen.getByRole("heading", { name: "Providers" })).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Providers" })).toHaveAttribute("aria-current", "page");
});
