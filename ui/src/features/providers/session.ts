/**
 * What the Providers section keeps while the user visits other sections: the open
 * panel (a provider being set up is not lost) and unsaved field values per panel.
 * API keys are never kept here.
 */
import { useSyncExternalStore } from "react";
import type { ProviderId } from "./config";

export type OpenPanel = {
  provider: ProviderId;
  mode: "setup" | "edit";
  /** Put the cursor in the first field (host or API key) rather than on the title. */
  focusField?: boolean;
} | null;

let open: OpenPanel = null;
let addOpen = false;
const listeners = new Set<() => void>();
const drafts = new Map<string, Record<string, string>>();

function subscribe(l: () => void) {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}
const get = () => open;
const getAdd = () => addOpen;

export function useOpenPanel(): OpenPanel {
  return useSyncExternalStore(subscribe, get, get);
}

export function setOpenPanel(next: OpenPanel) {
  if (open?.provider === next?.provider && open?.mode === next?.mode && !!open?.focusField === !!next?.focusField) return;
  open = next;
  listeners.forEach((l) => l());
}

/** Whether the Add provider dialog is open. */
export function useAddDialogOpen(): boolean {
  return useSyncExternalStore(subscribe, getAdd, getAdd);
}

export function setAddDialogOpen(next: boolean) {
  if (addOpen === next) return;
  addOpen = next;
  listeners.forEach((l) => l());
}

const draftKey = (provider: string, mode: string) => `${provider}:${mode}`;

export function loadDraft(provider: string, mode: string): Record<string, string> | undefined {
  return drafts.get(draftKey(provider, mode));
}

export function saveDraft(provider: string, mode: string, values: Record<string, string>) {
  drafts.set(draftKey(provider, mode), values);
}

export function clearDraft(provider: string, mode: string) {
  drafts.delete(draftKey(provider, mode));
}

/** Forget everything; for tests. */
export function resetSession() {
  open = null;
  addOpen = false;
  drafts.clear();
  listeners.forEach((l) => l());
}
