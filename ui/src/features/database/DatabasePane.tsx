import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { UpgradeReport } from "../../bindings";
import { open } from "@tauri-apps/plugin-dialog";
import { backupsQuery, statusQuery, useOpenDatabase } from "./queries";
import { CommandError } from "../../lib/ipc";
import { ErrorState, Skeleton } from "../../components/QueryState";
import { formatSize, formatTime } from "../../lib/format";
import { UpgradeDone, UpgradePanel } from "./UpgradePanel";

export function DatabasePane() {
  const status = useQuery(statusQuery());
  const backups = useQuery({ ...backupsQuery(), enabled: status.isSuccess });
  const openDb = useOpenDatabase();
  const [upgraded, setUpgraded] = useState<UpgradeReport | null>(null);
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
      {status.isPending && (
        <div className="facts">
          <Skeleton lines={3} />
        </div>
      )}
      {status.isError && !needsUpgrade && (
        <div data-testid="status-error">
          <ErrorState error={status.error} onRetry={() => void status.refetch()} />
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
      {status.isSuccess && (
        <section className="card backups" aria-labelledby="backups-title">
          <h2 id="backups-title">Backup copies</h2>
          <p className="muted small">Copies written beside the database before an upgrade changed it.</p>
          {backups.isPending && <Skeleton lines={2} />}
          {backups.isError && <ErrorState error={backups.error} onRetry={() => void backups.refetch()} />}
          {backups.data && backups.data.length === 0 && <p>There are no backup copies beside this database.</p>}
          {backups.data && backups.data.length > 0 && (
            <table className="model-table" aria-labelledby="backups-title">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Size</th>
                  <th scope="col">Written</th>
                </tr>
              </thead>
              <tbody>
                {backups.data.map((b) => (
                  <tr key={b.path}>
                    <td>
                      <code title={b.path}>{b.name}</code>
                    </td>
                    <td>{formatSize(b.size)}</td>
                    <td>
                      <time dateTime={b.modified}>{formatTime(b.modified)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </section>
  );
}
