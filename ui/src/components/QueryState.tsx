import { Button } from "react-aria-components";
import { errorDetail, errorSentence } from "../lib/errors";

/** A failed query: the code's sentence, the core's detail when it adds something, and Retry. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const detail = errorDetail(error);
  return (
    <div role="alert" className="error error-state">
      <p className="error-sentence">{errorSentence(error)}</p>
      {detail && <p className="error-detail">{detail}</p>}
      <Button className="button" onPress={onRetry}>
        Retry
      </Button>
    </div>
  );
}

/**
 * Placeholder lines while a query loads: each line has the height of a line of text,
 * so the content that replaces it does not make the page jump.
 */
export function Skeleton({ lines = 3 }: { lines?: number }) {
  return (
    <div className="skeleton" role="status" aria-label="Loading" aria-busy="true">
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton-line" style={{ width: `${92 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  );
}
