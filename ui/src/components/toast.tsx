import {
  Button,
  Text,
  UNSTABLE_Toast as Toast,
  UNSTABLE_ToastContent as ToastContent,
  UNSTABLE_ToastQueue as ToastQueue,
  UNSTABLE_ToastRegion as RacToastRegion,
} from "react-aria-components";

export type ToastKind = "success" | "error" | "info";
type ToastContentValue = { message: string; kind: ToastKind };

/** Errors stay longer: they usually need reading. React Aria asks for at least 5 s. */
const TIMEOUT: Record<ToastKind, number> = { success: 5_000, info: 6_000, error: 10_000 };

const queue = new ToastQueue<ToastContentValue>({ maxVisibleToasts: 4 });

/**
 * Announce the result of an action. Toasts live in one region (a landmark reachable
 * with F6), are read by screen readers, close by themselves and with their Close button.
 */
export function toast(message: string, kind: ToastKind = "info"): void {
  queue.add({ message, kind }, { timeout: TIMEOUT[kind] });
}

/** Close every toast; for tests. */
export function clearToasts(): void {
  queue.clear();
}

/** Rendered once, by the Shell. */
export function ToastRegion() {
  return (
    <RacToastRegion queue={queue} className="toast-region" aria-label="Notifications">
      {({ toast: t }) => (
        <Toast toast={t} className="toast" data-kind={t.content.kind}>
          <ToastContent className="toast-content">
            <Text slot="title">{t.content.message}</Text>
          </ToastContent>
          <Button slot="close" className="toast-close" aria-label="Dismiss notification">
            ×
          </Button>
        </Toast>
      )}
    </RacToastRegion>
  );
}
