import type { ConnectionTest } from "../../bindings";
import { errorSentence } from "../../lib/errors";
import { connectedWords } from "./ProviderCard";
import { connectionSentence } from "./text";

export type TestOutcome =
  | { kind: "result"; result: ConnectionTest }
  | { kind: "failed"; error: unknown }
  | null;

/** The outcome of "Test connection", in a polite live region next to the buttons. */
export function TestResult({
  outcome,
  label,
  endpoint,
}: {
  outcome: TestOutcome;
  label: string;
  endpoint?: string;
}) {
  let body = null;
  if (outcome?.kind === "result" && outcome.result.ok) {
    body = <p className="pv-test pv-test-ok">{connectedWords({ ...outcome.result, ok: true, error: null })}</p>;
  } else if (outcome?.kind === "result") {
    const e = outcome.result.error;
    body = (
      <div className="pv-test pv-test-failed">
        <p>{e ? connectionSentence(e, label, endpoint) : `${label} could not be reached.`}</p>
        {e?.message && (
          <details className="pv-detail">
            <summary>Details</summary>
            <p>{e.message}</p>
          </details>
        )}
      </div>
    );
  } else if (outcome?.kind === "failed") {
    body = (
      <div className="pv-test pv-test-failed">
        <p>{errorSentence(outcome.error)}</p>
      </div>
    );
  }
  return (
    <div role="status" aria-label="Connection test" className="pv-test-region">
      {body}
    </div>
  );
}
