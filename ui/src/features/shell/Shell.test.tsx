import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, expect, test } from "vitest";
import { Shell } from "./Shell";

afterEach(() => clearMocks());

test("the sidebar switches sections from the keyboard", async () => {
  mockIPC(() => ({ db_path: "/d.db", schema_version: 3, app_version: "0.1.0" }));
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <Shell />
    </QueryClientProvider>,
  );
  expect(screen.getByRole("heading", { name: "Database" })).toBeInTheDocument();
  const user = userEvent.setup();
  await user.tab();
  expect(screen.getByRole("button", { name: "Providers" })).toHaveFocus();
  await user.keyboard("{Enter}");
  expect(screen.getByRole("heading", { name: "Providers" })).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Providers" })).toHaveAttribute("aria-current", "page");
});
