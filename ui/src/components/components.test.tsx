import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, expect, test, vi } from "vitest";
import { CommandError } from "../lib/ipc";
import { errorSentence } from "../lib/errors";
import { ConfirmDialog } from "./ConfirmDialog";
import { ErrorState, Skeleton } from "./QueryState";
import { toast, ToastRegion } from "./toast";

afterEach(() => vi.useRealTimers());

function Harness({ onConfirm, onCancel }: { onConfirm: () => void; onCancel: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button onClick={() => setOpen(true)}>Disconnect Ollama</button>
      <ConfirmDialog
        isOpen={open}
        title="Disconnect Ollama?"
        confirmLabel="Disconnect"
        destructive
        onConfirm={() => {
          setOpen(false);
          onConfirm();
        }}
        onCancel={() => {
          setOpen(false);
          onCancel();
        }}
      >
        <p>Categorization uses Ollama.</p>
      </ConfirmDialog>
    </>
  );
}

test("ConfirmDialog: an alertdialog that traps focus, confirms by its label and cancels on Escape", async () => {
  const onConfirm = vi.fn();
  const onCancel = vi.fn();
  render(<Harness onConfirm={onConfirm} onCancel={onCancel} />);
  const user = userEvent.setup();
  await user.click(screen.getByRole("button", { name: "Disconnect Ollama" }));
  const dialog = screen.getByRole("alertdialog", { name: "Disconnect Ollama?" });
  expect(dialog).toHaveTextContent("Categorization uses Ollama.");
  // A destructive question starts on Cancel; Tab cycles inside the dialog.
  expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
  await user.tab();
  expect(within(dialog).getByRole("button", { name: "Disconnect" })).toHaveFocus();
  await user.tab();
  expect(dialog).toContainElement(document.activeElement as HTMLElement);
  await user.keyboard("{Escape}");
  expect(onCancel).toHaveBeenCalledTimes(1);
  expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();

  await user.click(screen.getByRole("button", { name: "Disconnect Ollama" }));
  await user.click(screen.getByRole("button", { name: "Disconnect" }));
  expect(onConfirm).toHaveBeenCalledTimes(1);
});

test("toasts close by themselves", async () => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  render(<ToastRegion />);
  act(() => toast("Ollama enabled.", "success"));
  expect(await screen.findByText("Ollama enabled.")).toBeInTheDocument();
  await act(async () => {
    await vi.advanceTimersByTimeAsync(5_500);
  });
  await waitFor(() => expect(screen.queryByText("Ollama enabled.")).not.toBeInTheDocument());
});

test("toasts can be dismissed from the keyboard", async () => {
  render(<ToastRegion />);
  act(() => toast("Could not save.", "error"));
  const close = await screen.findByRole("button", { name: "Dismiss notification" });
  act(() => close.focus());
  await userEvent.keyboard("{Enter}");
  await waitFor(() => expect(screen.queryByText("Could not save.")).not.toBeInTheDocument());
});

test("ErrorState shows the sentence and retries", async () => {
  const retry = vi.fn();
  render(<ErrorState error={new CommandError({ code: "disk_full", message: "SQLITE_FULL" })} onRetry={retry} />);
  const alert = screen.getByRole("alert");
  expect(alert).toHaveTextContent("The disk is full; nothing was saved.");
  expect(alert).toHaveTextContent("SQLITE_FULL.");
  await userEvent.click(within(alert).getByRole("button", { name: "Retry" }));
  expect(retry).toHaveBeenCalled();
});

test("Skeleton keeps a fixed number of lines", () => {
  render(<Skeleton lines={4} />);
  expect(screen.getByRole("status", { name: "Loading" }).querySelectorAll(".skeleton-line")).toHaveLength(4);
});

test("errorSentence: the core's specific sentence for provider errors, a plain one for the database", () => {
  expect(errorSentence(new CommandError({ code: "auth_failed", message: "OpenAI rejected the API key" }))).toBe(
    "OpenAI rejected the API key.",
  );
  expect(errorSentence(new CommandError({ code: "auth_failed", message: "" }))).toBe(
    "The provider rejected the API key.",
  );
  expect(errorSentence(new CommandError({ code: "db_locked", message: "database is locked" }))).toBe(
    "Another program is writing to the database; try again in a moment.",
  );
  expect(errorSentence(new Error("boom"))).toBe("Boom.");
  expect(errorSentence(undefined)).toBe("Something went wrong inside Curator.");
});
