import { render, screen } from "@testing-library/react";
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
    throw new Error(`unexpected command ${cmd}`);
  });
  renderPane();
  expect(await screen.findByTestId("schema-version")).toHaveTextContent("7");
  expect(screen.getByTestId("db-path")).toHaveTextContent("/data/curator.db");
  expect(screen.getByTestId("app-version")).toHaveTextContent("0.1.0");
});

test("shows a coded error when the database cannot be opened", async () => {
  mockIPC(() => {
    throw { code: "db_open", message: "cannot open database /x/y.db: directory /x does not exist" };
  });
  renderPane();
  const alert = await screen.findByRole("alert");
  expect(alert).toHaveTextContent("directory /x does not exist");
  expect(alert).toHaveTextContent("db_open");
});
