import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import { clearToasts } from "./components/toast";
import { resetNav } from "./lib/nav";
import { resetHealthMemory } from "./features/providers/queries";

// Vitest runs without globals, so Testing Library cannot register this itself.
// The toast queue and the navigation store are module-wide: reset them between tests.
afterEach(() => {
  cleanup();
  clearToasts();
  resetNav();
  resetHealthMemory();
  window.localStorage.clear();
});
