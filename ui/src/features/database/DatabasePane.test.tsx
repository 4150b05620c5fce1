import { render, screen, within } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, expect, test } from "vitest";
import { DatabasePane } from "./DatabasePane";

function renderPane() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <DatabasePane />
    </QueryClientProvider>,
  );
}

afterEach(() => clearMocks());

test("shows the facts that came from Rust", async () => {
  mockIPC((cmd) => {
    if (cmd === "app_status") return { db_path: "/data/curator.db", schema_version: 7, app_version: "0.1.0" };
    if (cmd === "list_backups") return [];
    throw new Error(`unexpected command ${cmd}`);
  });
  renderPane();
  expect(await screen.findByTestId("schema-version")).toHaveTextContent("7");
  expect(screen.getByTestId("db-path")).toHaveTextContent("/data/curator.db");
  expect(screen.getByTestId("app-version")).toHaveTextContent("0.1.0");
});

test("says why the database cannot be opened, with the core's detail and Retry", async () => {
  mockIPC(() => {
    throw { code: "db_open", message: "cannot open database /x/y.db: directory /x does not exist" };
  });
  renderPane();
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("The database could not be opened.");
  expect(alert).toHaveTextContent("directory /x does not exist");
  expect(within(alert).getByRole("button", { name: "Retry" })).toBeInTheDocument();
});

test("lists the backup copies beside the database", async () => {
  mockIPC((cmd) => {
    if (cmd === "app_status") return { db_path: "/data/curator.db", schema_version: 7, app_version: "0.1.0" };
    if (cmd === "list_backups")
      return [
        {
          name: "curator.db.bak-20261126T101500Z",
          path: "/data/curator.db.bak-20261126T101500Z",
          size: 3 * 1024 * 1024,
          modified: "2026-11-26T10:15:00Z",
        },
      ];
    throw new Error(`unexpected command ${cmd}`);
  });
  renderPane();
  const table = await screen.findByRole("table", { name: "Backup copies" });
  expect(within(table).getByRole("cell", { name: "curator.db.bak-20261126T101500Z" })).toBeInTheDocument();
  expect(within(table).getByRole("cell", { name: "3 MB" })).toBeInTheDocument();
  expect(table.querySelector("time")).toHaveAttribute("datetime", "2026-11-26T10:15:00Z");
  expect(table.querySelector("time")).toHaveTextContent(/2026/);
});

test("no backups: says so", async () => {
  mockIPC((cmd) => {
    if (cmd === "app_status") return { db_path: "/data/curator.db", schema_version: 7, app_version: "0.1.0" };
    if (cmd === "list_backups") return [];
    throw new Error(`unexpected command ${cmd}`);
  });
  renderPane();
  expect(await screen.findByText("There are no backup copies beside this database.")).toBeInTheDocument();
});
