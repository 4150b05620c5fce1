import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, expect, test } from "vitest";
import { DatabasePane } from "./DatabasePane";

const plan = {
  detected: "V7",
  changed: true,
  backup: null,
  schema_version: 10,
  tables: { articles: { before: 204, after: 204 }, llm_task_routes: { before: 0, after: 2 } },
};

function renderPane() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <DatabasePane />
    </QueryClientProvider>,
  );
}

afterEach(() => clearMocks());

test("a legacy database: says what was found, asks, upgrades and shows the backup", async () => {
  let upgraded = false;
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    if (cmd === "app_status") {
      if (upgraded) return { db_path: "/d/rss.db", schema_version: 10, app_version: "0.1.0" };
      throw { code: "needs_upgrade", message: "/d/rss.db is a database of the earlier reader (V7)" };
    }
    if (cmd === "inspect_upgrade") return plan;
    if (cmd === "upgrade_database") {
      upgraded = true;
      return { ...plan, backup: "/d/rss.db.bak-20261126T000000Z" };
    }
    throw new Error(`unexpected ${cmd}`);
  });
  renderPane();
  expect(await screen.findByTestId("detected-shape")).toHaveTextContent("V7");
  expect(screen.getByRole("cell", { name: "llm_task_routes" })).toBeInTheDocument();
  expect(calls).not.toContain("upgrade_database");

  await userEvent.click(screen.getByRole("button", { name: "Upgrade this database" }));
  expect(await screen.findByTestId("backup-path")).toHaveTextContent("/d/rss.db.bak-20261126T000000Z");
  expect(await screen.findByTestId("schema-version")).toHaveTextContent("10");
});

test("a failed upgrade says that nothing changed", async () => {
  mockIPC((cmd) => {
    if (cmd === "app_status") throw { code: "needs_upgrade", message: "needs upgrade" };
    if (cmd === "inspect_upgrade") return plan;
    if (cmd === "upgrade_database") throw { code: "disk_full", message: "the disk is full" };
    throw new Error(`unexpected ${cmd}`);
  });
  renderPane();
  await userEvent.click(await screen.findByRole("button", { name: "Upgrade this database" }));
  const alert = await screen.findByTestId("upgrade-error");
  expect(alert).toHaveTextContent("nothing was changed");
  expect(alert).toHaveTextContent("the disk is full");
});
