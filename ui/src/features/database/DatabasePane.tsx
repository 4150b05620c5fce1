import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { UpgradeReport_Serialize } from "../../bindings";
import { open } from "@tauri-apps/plugin-dialog";
import { statusQuery, useOpenDatabase } from "./queries";
import { CommandError } from "../../lib/ipc";
import { UpgradeDone, UpgradePanel } from "./UpgradePanel";

export function DatabasePane() {
  const status = useQuery(statusQuery());
  const openDb = useOpenDatabase();
  const [upgraded, setUpgraded] = useState<UpgradeReport_Serialize | null>(null);
  const needsUpgrade = status.error instanceof CommandError && status.error.code === "needs_upgrade";

  const pick = async () => {
    const path = await open({
      title: "Open existing database",
      multiple: false,
      directory: false,
      filters: [{ name: "SQLite database", extensions: ["db", "sqlite", "sqlite3"] }],
    });
    if (typeof path === "string") {
      setUpgraded(null);
      openDb.mutate(path);
    }
  };

  return (
    <section aria-labelledby="database-title" className="pane">
      <h1 id="database-title">Database</h1>
      {status.isPending && <p role="status">Opening the database…</p>}
      {status.isError && !needsUpgrade && (
        <div role="alert" className="error" data-testid="status-error">
          <strong>The database could not be opened.</strong>
          <p>{status.error.message}</p>
          {status.error instanceof CommandError && <code>{status.error.code}</code>}
        </div>
      )}
      {upgraded && <UpgradeDone report={upgraded} />}
      {needsUpgrade && <UpgradePanel onUpgraded={setUpgraded} />}
      {status.isSuccess && (
        <dl className="facts">
          <dt>Database file</dt>
          <dd data-testid="db-path">
            <code>{status.data.db_path}</code>
          </dd>
          <dt>Schema version</dt>
          <dd data-testid="schema-version">{status.data.schema_version}</dd>
          <dt>Curator version</dt>
          <dd data-testid="app-version">{status.data.app_version}</dd>
        </dl>
      )}
      <div className="actions">
        <button type="button" onClick={pick} disabled={openDb.isPending}>
          Open existing database…
        </button>
      </div>
    </section>
  );
}
