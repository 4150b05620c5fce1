import type { ReactNode } from "react";
import { Button, Dialog, Heading, Modal, ModalOverlay } from "react-aria-components";

export type ConfirmDialogProps = {
  isOpen: boolean;
  title: string;
  children: ReactNode;
  /** Repeats the action ("Disconnect", "Disable", "Delete"); names the confirming button. */
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** A destructive action starts with focus on Cancel and a warning-coloured button. */
  destructive?: boolean;
};

/** A modal question (role alertdialog): focus is trapped, Escape cancels. */
export function ConfirmDialog({
  isOpen,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  destructive = false,
}: ConfirmDialogProps) {
  return (
    <ModalOverlay
      className="modal-overlay"
      isOpen={isOpen}
      isDismissable={false}
      onOpenChange={(open) => {
        if (!open) onCancel();
      }}
    >
      <Modal className="modal">
        <Dialog role="alertdialog" className="dialog">
          <Heading slot="title" className="dialog-title">
            {title}
          </Heading>
          <div className="dialog-body">{children}</div>
          <div className="dialog-actions">
            <Button className="button" onPress={onCancel} autoFocus={destructive}>
              Cancel
            </Button>
            <Button
              className={destructive ? "button danger" : "button primary"}
              onPress={onConfirm}
              autoFocus={!destructive}
            >
              {confirmLabel}
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
