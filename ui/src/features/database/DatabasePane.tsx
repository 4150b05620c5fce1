import { useQuery } from "@tanstack/react-query";
import { statusQuery } from "./queries";
import { CommandError } from "../../lib/ipc";

export function DatabasePane() {
  const status = useQuery(statusQuery());

  return (
    <section aria-labelledby="database-title" className="pane">
      <h1 id="database-title">Database</h1>
      {status.isPending && <p role="status">Opening the database…</p>}
      {status.isError && (
        <div role="alert" className="error" data-testid="status-error">
          <strong>The database could not be opened.</strong>
          <p>{status.error.message}</p>
          {status.error instanceof CommandError && <code>{status.error.code}</code>}
        </div>
      )}
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
    </section>
  );
}
