import { useSyncExternalStore } from "react";

/** The window's sections, in sidebar order. */
export type Section = "providers" | "routes" | "models" | "database";
export const SECTIONS: readonly Section[] = ["providers", "routes", "models", "database"];
export const isSection = (v: unknown): v is Section => SECTIONS.includes(v as Section);

/** Why a section was opened from elsewhere (a readiness fix, a link); the target consumes it. */
export type NavIntent =
  | { kind: "add_provider" }
  | { kind: "configure_provider"; provider: string }
  | { kind: "focus_model"; task: "categorization" | "scoring" };

type NavState = { section: Section; intent: NavIntent | null };

/**
 * A section that must not be left silently (unsaved changes) registers a guard. The guard
 * returns true to hold the navigation and calls `proceed` itself once the user agrees.
 */
export type LeaveGuard = (proceed: () => void) => boolean;

const DEFAULT: NavState = { section: "providers", intent: null };
let state: NavState = DEFAULT;
let guard: LeaveGuard | null = null;
const listeners = new Set<() => void>();

function set(next: NavState) {
  state = next;
  listeners.forEach((l) => l());
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Open `section` (with an optional intent), asking the current section's guard first. */
export function go(section: Section, intent?: NavIntent) {
  const commit = () => set({ section, intent: intent ?? null });
  if (guard && section !== state.section && guard(commit)) return;
  commit();
}

export function clearIntent() {
  if (state.intent) set({ ...state, intent: null });
}

export function getNav(): NavState {
  return state;
}

/** Register (or, with null, remove) the guard of the section that is open. */
export function setLeaveGuard(g: LeaveGuard | null) {
  guard = g;
}

/** Back to the first section with no guard; for tests. */
export function resetNav() {
  guard = null;
  set(DEFAULT);
}

export function useNav() {
  const s = useSyncExternalStore(subscribe, getNav, getNav);
  return { section: s.section, intent: s.intent, go, clearIntent };
}
