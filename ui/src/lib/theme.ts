import { useCallback, useEffect, useState } from "react";
import { loadPref, savePref } from "./prefs";

export type ThemeChoice = "system" | "light" | "dark";
export const THEME_CHOICES: readonly ThemeChoice[] = ["system", "light", "dark"];
const isThemeChoice = (v: unknown): v is ThemeChoice => THEME_CHOICES.includes(v as ThemeChoice);

const DARK_QUERY = "(prefers-color-scheme: dark)";

function osPrefersDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia(DARK_QUERY).matches;
}

/** Put the resolved theme on the root element (`data-theme="light" | "dark"`). */
export function applyTheme(choice: ThemeChoice): void {
  const resolved = choice === "system" ? (osPrefersDark() ? "dark" : "light") : choice;
  document.documentElement.dataset.theme = resolved;
  document.documentElement.dataset.themeChoice = choice;
}

/**
 * The store answers asynchronously; a copy in localStorage lets the first paint use the
 * chosen theme (no flash of the OS theme). The store stays the source of truth.
 */
const CACHE_KEY = "curator.theme";

export function cachedTheme(): ThemeChoice {
  try {
    const v = window.localStorage.getItem(CACHE_KEY);
    return isThemeChoice(v) ? v : "system";
  } catch {
    return "system";
  }
}

function cacheTheme(choice: ThemeChoice) {
  try {
    window.localStorage.setItem(CACHE_KEY, choice);
  } catch {
    // Without localStorage the first paint follows the OS until the store answers.
  }
}

/**
 * The theme choice, kept in tauri-plugin-store (`theme`). In System the window follows
 * the OS and changes with it while open.
 */
export function useTheme() {
  const [choice, setChoice] = useState<ThemeChoice>(cachedTheme);

  useEffect(() => {
    let live = true;
    void loadPref<string>("theme").then((saved) => {
      if (live && isThemeChoice(saved)) {
        setChoice(saved);
        cacheTheme(saved);
      }
    });
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    applyTheme(choice);
    if (choice !== "system" || typeof window.matchMedia !== "function") return;
    const mq = window.matchMedia(DARK_QUERY);
    const follow = () => applyTheme("system");
    mq.addEventListener("change", follow);
    return () => mq.removeEventListener("change", follow);
  }, [choice]);

  const choose = useCallback((next: ThemeChoice) => {
    setChoice(next);
    cacheTheme(next);
    void savePref("theme", next);
  }, []);

  return { choice, choose };
}
