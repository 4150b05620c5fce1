import { LazyStore } from "@tauri-apps/plugin-store";

/**
 * UI-only preferences (which section was open, …) in tauri-plugin-store's `ui.json`.
 * Everything the reader depends on lives in SQLite; these are conveniences, so a store
 * that cannot be read or written is ignored rather than shown as an error.
 */
const store = new LazyStore("ui.json");

export async function loadPref<T>(key: string): Promise<T | undefined> {
  try {
    return await store.get<T>(key);
  } catch {
    return undefined;
  }
}

export async function savePref<T>(key: string, value: T): Promise<void> {
  try {
    await store.set(key, value);
    await store.save();
  } catch {
    // A preference that cannot be saved is simply not remembered.
  }
}
