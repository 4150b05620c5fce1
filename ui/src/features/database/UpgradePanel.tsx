import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { UpgradeProgress, UpgradeReport, UpgradeStage } from "../../bindings";
import { upgradePlanQuery, useUpgradeDatabase } from "./queries";

const STAGE_LABEL: Record<UpgradeStage, string> = {
  inspecting: "Reading the database",
  backup: "Writing the backup copy",
  migrating: "Upgrading",
  checking: "Checking integrity",
  committing: "Saving",
  done: "Done",
};

/** Shown when the open database belongs to the earlier reader: say what was found, ask, upgrade. */
export function UpgradePanel({ onUpgraded }: { onUpgraded: (r: UpgradeReport) => void }) {
  const plan = useQuery(upgradePlanQuery(true));
  const [progress, setProgress] = useState<UpgradeProgress | null>(null);
  const upgrade = useUpgradeDatabase(setProgress, onUpgraded);

  return (
    <section className="card" aria-labelledby="upgrade-title" data-testid="upgrade-panel">
      <h2 id="upgrade-title">This database comes from the earlier reader</h2>
      {plan.isPending && <p role="status">Looking at the database…</p>}
      {plan.isError && (
        <p role="alert" className="error">
          {plan.error.message}
        </p>
      )}
      {plan.isSuccess && (
        <>
          <p>
            Found shape <strong data-testid="detected-shape">{plan.data.detected}</strong>. Curator
            upgrades it in place: a backup copy is complete on disk before anything is saved, the
            whole upgrade runs in one transaction, and nothing is lost.
          </p>
          <table className="counts">
            <thead>
              <tr>
                <th scope="col">Table</th>
                <th scope="col">Rows now</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(plan.data.tables).map(([table, c]) => (
                <tr key={table}>
                  <td>{table}</td>
                  <td>{c?.before}</td>
                  <td>{c?.after}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {upgrade.isPending && progress && (
            <div className="progress" role="status" aria-live="polite">
              <span>{STAGE_LABEL[progress.stage]}</span>
              <progress max={Math.max(progress.total, 1)} value={progress.done} />
            </div>
          )}
          {upgrade.isError && (
            <div role="alert" className="error" data-testid="upgrade-error">
              <strong>The upgrade failed; nothing was changed.</strong>
              <p>{upgrade.error.message}</p>
            </div>
          )}
          <button
            type="button"
            className="primary"
            disabled={upgrade.isPending}
            onClick={() => upgrade.mutate()}
          >
            {upgrade.isPending ? "Upgrading…" : "Upgrade this database"}
          </button>
        </>
      )}
    </section>
  );
}

/** The outcome of the last upgrade, kept on screen after the pane shows the new facts. */
export function UpgradeDone({ report }: { report: UpgradeReport }) {
  return (
    <div className="notice" role="status" data-testid="upgrade-done">
      <strong>Upgraded from {report.detected}.</strong> The original file was copied first to{" "}
      <code data-testid="backup-path">{report.backup ?? "(no backup needed)"}</code>.
    </div>
  );
}
