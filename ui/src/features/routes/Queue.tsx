import { useQuery } from "@tanstack/react-query";
import { Button } from "react-aria-components";
import type { ApiError, RouteTest, Task } from "../../bindings";
import { ErrorState, Skeleton } from "../../components/QueryState";
import { errorSentence } from "../../lib/errors";
import { CommandError } from "../../lib/ipc";
import { queueFailuresQuery, queueStatusQuery, useTestRoute } from "./queries";

const TITLE: Record<Task, string> = { categorization: "Categorization", scoring: "Scoring" };
const TASKS: Task[] = ["categorization", "scoring"];

/** Queue counts per task (queued, running, done, failed) and each task's last failure. */
export function QueueCounts() {
  const status = useQuery(queueStatusQuery());
  const failures = useQuery(queueFailuresQuery());
  return (
    <div className="card">
      <h2>Queue</h2>
      {status.isPending && !status.isError && <Skeleton lines={2} />}
      {status.isError && <ErrorState error={status.error} onRetry={() => void status.refetch()} />}
      {status.data && (
        <table className="queue-table" aria-label="Queue counts">
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Queued</th>
              <th scope="col">Running</th>
              <th scope="col">Done</th>
              <th scope="col">Failed</th>
            </tr>
          </thead>
          <tbody>
            {TASKS.map((t) => {
              const c = status.data[t];
              return (
                <tr key={t}>
                  <th scope="row">{TITLE[t]}</th>
                  <td>{c.queued}</td>
                  <td>{c.running}</td>
                  <td>{c.done}</td>
                  <td>{c.failed}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {failures.data &&
        TASKS.map((t) => {
          const f = failures.data.find((x) => x.task === t);
          if (!f) return null;
          return (
            <p key={t} className="field-help">
              Last {t} failure (article {f.article_id}): {f.reason}
            </p>
          );
        })}
    </div>
  );
}

/** At most `max` characters of the parsed answer, on one line. */
function shortResult(result: unknown, max = 160): string {
  let s: string;
  try {
    s = JSON.stringify(result) ?? "";
  } catch {
    s = String(result);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function testSummary(r: RouteTest): string {
  const head = `${r.valid ? "Valid" : "Invalid"} answer in ${r.latency_ms} ms from ${r.model}`;
  const article = r.article_id === null ? "the sample article" : `article ${r.article_id}`;
  if (r.valid) return `${head} (${article}): ${shortResult(r.result)}`;
  const why = r.error ? errorSentence(new CommandError(r.error as ApiError)) : "The answer did not validate.";
  return `${head} (${article}): ${why}`;
}

/**
 * "Test" beside a task's route: runs the task on the newest article through the saved
 * route, exactly as the queue would, and shows latency, validity and the parsed answer.
 */
export function RouteTestButton({ task, disabled }: { task: Task; disabled: boolean }) {
  const test = useTestRoute(task);
  const label = `Test ${task} route`;
  return (
    <div className="route-test">
      <Button
        className="button"
        aria-label={label}
        onPress={() => test.mutate()}
        isDisabled={disabled}
        isPending={test.isPending}
      >
        {test.isPending ? "Testing…" : "Test"}
      </Button>
      <span role="status" aria-label={`${TITLE[task]} route test`} className="field-help">
        {test.isSuccess && testSummary(test.data)}
        {test.isError && errorSentence(test.error)}
      </span>
    </div>
  );
}
