import { Button, Dialog, Heading, Modal, ModalOverlay } from "react-aria-components";
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from "./config";
import { ProviderLogo } from "./logos";

/** The five providers as real buttons; configured ones cannot be added twice. */
export function AddProviderDialog({
  isOpen,
  configured,
  onChoose,
  onClose,
}: {
  isOpen: boolean;
  configured: ReadonlySet<string>;
  onChoose: (provider: ProviderId) => void;
  onClose: () => void;
}) {
  return (
    <ModalOverlay
      className="modal-overlay"
      isOpen={isOpen}
      isDismissable
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
    >
      <Modal className="modal pv-add-modal">
        <Dialog className="dialog pv-add-dialog">
          <Heading slot="title" className="dialog-title">
            Add provider
          </Heading>
          <ul className="pv-add-list" role="list">
            {PROVIDER_IDS.map((id) => {
              const meta = PROVIDERS[id];
              const added = configured.has(id);
              const hintId = `pv-add-hint-${id}`;
              return (
                <li key={id}>
                  <Button
                    className="pv-add-option"
                    aria-label={meta.label}
                    aria-describedby={hintId}
                    isDisabled={added}
                    onPress={() => onChoose(id)}
                  >
                    <ProviderLogo provider={id} size={28} />
                    <span className="pv-add-text">
                      <span className="pv-add-name">{meta.label}</span>
                      <span id={hintId} className="pv-add-hint">
                        {added ? "Already added" : meta.hint}
                      </span>
                    </span>
                  </Button>
                </li>
              );
            })}
          </ul>
          <div className="dialog-actions">
            <Button className="button" onPress={onClose}>
              Cancel
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
