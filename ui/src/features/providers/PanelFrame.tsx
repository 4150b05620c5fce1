import { useEffect, useRef, type KeyboardEvent, type ReactNode } from "react";
import { Button, Switch } from "react-aria-components";
import type { ProviderItem, TaskRoute } from "../../bindings";
import { PROVIDERS, type ProviderId } from "./config";
import { ProviderLogo } from "./logos";

/** What the section gives a provider's panel. */
export type PanelProps = {
  provider: ProviderId;
  mode: "setup" | "edit";
  /** The saved provider (edit mode). */
  item: ProviderItem | undefined;
  routes: TaskRoute[] | undefined;
  panelId: string;
  /** Put the cursor in the first field (host or API key) instead of on the title. */
  focusField: boolean;
  onClose: () => void;
  onSaved: (item: ProviderItem, wasSetup: boolean) => void;
  onRequestEnabled: (next: boolean) => void;
  onRequestDisconnect: () => void;
  enabledBusy: boolean;
};

export const panelTitleId = (provider: string) => `pv-panel-title-${provider}`;

/**
 * A provider's panel, shown under the cards: a titled region that closes on Escape and
 * takes the focus when it opens.
 */
export function PanelFrame({
  props,
  subtitle,
  children,
}: {
  props: PanelProps;
  subtitle: ReactNode;
  children: ReactNode;
}) {
  const { provider, mode, item, panelId, focusField, onClose } = props;
  const titleRef = useRef<HTMLHeadingElement>(null);
  const sectionRef = useRef<HTMLElement>(null);

  useEffect(() => {
    if (focusField) {
      sectionRef.current?.querySelector<HTMLInputElement>("input.pv-input")?.focus();
    } else {
      titleRef.current?.focus();
    }
    // Only when the panel opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [provider, mode]);

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === "Escape" && !e.defaultPrevented) {
      e.preventDefault();
      onClose();
    }
  };

  return (
    <section
      ref={sectionRef}
      id={panelId}
      className="pv-panel"
      aria-labelledby={panelTitleId(provider)}
      onKeyDown={onKeyDown}
    >
      <header className="pv-panel-head">
        <ProviderLogo provider={provider} size={28} />
        <div className="pv-panel-heading">
          <h2 id={panelTitleId(provider)} ref={titleRef} tabIndex={-1} className="pv-panel-title">
            {PROVIDERS[provider].label}
          </h2>
          <p className="pv-panel-sub">{subtitle}</p>
        </div>
        {mode === "edit" && item && (
          <Switch
            className="switch"
            isSelected={item.enabled}
            isDisabled={props.enabledBusy}
            onChange={props.onRequestEnabled}
          >
            <span className="switch-track" aria-hidden="true">
              <span className="switch-thumb" />
            </span>
            Enabled
          </Switch>
        )}
      </header>
      {children}
    </section>
  );
}

/** Test connection · Save · Cancel · Disconnect, in that order. */
export function PanelActions({
  props,
  onTest,
  testing,
  onSave,
  saving,
  canSave,
}: {
  props: PanelProps;
  onTest: () => void;
  testing: boolean;
  onSave: () => void;
  saving: boolean;
  canSave: boolean;
}) {
  return (
    <div className="pv-actions">
      <Button className="button" onPress={onTest} isPending={testing}>
        Test connection
      </Button>
      <Button className="button primary" onPress={onSave} isDisabled={!canSave} isPending={saving}>
        Save
      </Button>
      <Button className="button" onPress={props.onClose}>
        Cancel
      </Button>
      {props.mode === "edit" && (
        <Button className="button danger pv-disconnect" onPress={props.onRequestDisconnect}>
          Disconnect
        </Button>
      )}
    </div>
  );
}

/** Where a model is routed: the tasks whose route names `provider` (and `model`). */
export function tasksUsing(
  routes: readonly TaskRoute[] | undefined,
  provider: string,
  model?: string,
): string[] {
  return (routes ?? [])
    .filter((r) => r.provider === provider && (model === undefined || r.model === model))
    .map((r) => r.task);
}
