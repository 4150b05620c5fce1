import { lazy, Suspense, useEffect, useRef, useState, type ComponentType, type KeyboardEvent } from "react";
import { Label, Radio, RadioGroup } from "react-aria-components";
import { ToastRegion } from "../../components/toast";
import { isSection, SECTIONS, useNav, type Section } from "../../lib/nav";
import { loadPref, savePref } from "../../lib/prefs";
import { THEME_CHOICES, useTheme, type ThemeChoice } from "../../lib/theme";

// Each section (with what only it uses, e.g. the catalog's virtualizer) is loaded when it
// is first opened, so the window starts with the frame and one section only. Pointing at
// or focusing a sidebar item starts loading its section, so a click rarely waits.
const LOAD = {
  providers: () => import("../providers/ProvidersSection").then((m) => ({ default: m.ProvidersSection })),
  routes: () => import("../routes/RoutesSection").then((m) => ({ default: m.RoutesSection })),
  models: () => import("../models/ModelsSection").then((m) => ({ default: m.ModelsSection })),
  database: () => import("../database/DatabasePane").then((m) => ({ default: m.DatabasePane })),
} satisfies Record<Section, () => Promise<{ default: ComponentType }>>;

const SECTION_VIEW: Record<Section, ComponentType> = {
  providers: lazy(LOAD.providers),
  routes: lazy(LOAD.routes),
  models: lazy(LOAD.models),
  database: lazy(LOAD.database),
};

const preload = (s: Section) => {
  void LOAD[s]().catch(() => {});
};

const LABEL: Record<Section, string> = {
  providers: "Providers",
  routes: "Task routes",
  models: "Models",
  database: "Database",
};

const THEME_LABEL: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };

/** How long the saved section may take to load before the first section is shown anyway. */
const PREF_WAIT_MS = 400;

/** The settings window's frame: a sidebar of sections, the selected section, the toasts. */
export function Shell() {
  const { section, go } = useNav();
  const theme = useTheme();
  const [restored, setRestored] = useState(false);
  const navRefs = useRef<Partial<Record<Section, HTMLButtonElement | null>>>({});

  // Reopen the section that was open last time (before showing any, so nothing flashes).
  useEffect(() => {
    let live = true;
    const done = () => {
      if (live) setRestored(true);
    };
    const timer = setTimeout(done, PREF_WAIT_MS);
    void loadPref<string>("section").then((saved) => {
      if (live && isSection(saved)) go(saved);
      clearTimeout(timer);
      done();
    });
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [go]);

  // Remember the section, however it was opened (sidebar or a fix action elsewhere).
  useEffect(() => {
    if (restored) void savePref("section", section);
  }, [restored, section]);

  // Up/Down (and Home/End) move between sidebar items, as in a native settings window.
  const onNavKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const order = [...SECTIONS];
    const current = order.findIndex((s) => navRefs.current[s] === document.activeElement);
    if (current < 0) return;
    let next: number | null = null;
    if (e.key === "ArrowDown") next = (current + 1) % order.length;
    if (e.key === "ArrowUp") next = (current - 1 + order.length) % order.length;
    if (e.key === "Home") next = 0;
    if (e.key === "End") next = order.length - 1;
    if (next === null) return;
    e.preventDefault();
    const target = order[next];
    if (target) navRefs.current[target]?.focus();
  };

  const View = SECTION_VIEW[section];

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Settings sections">
        <div className="brand">Curator</div>
        <ul role="list" onKeyDown={onNavKey}>
          {SECTIONS.map((s) => (
            <li key={s}>
              <button
                type="button"
                ref={(el) => {
                  navRefs.current[s] = el;
                }}
                className="nav-item"
                aria-current={restored && section === s ? "page" : undefined}
                onClick={() => go(s)}
                onPointerEnter={() => preload(s)}
                onFocus={() => preload(s)}
              >
                {LABEL[s]}
              </button>
            </li>
          ))}
        </ul>
        <div className="sidebar-footer">
          <RadioGroup
            className="theme-choice"
            orientation="horizontal"
            value={theme.choice}
            onChange={(v) => theme.choose(v as ThemeChoice)}
          >
            <Label className="theme-label">Theme</Label>
            <div className="segmented">
              {THEME_CHOICES.map((c) => (
                <Radio key={c} value={c} className="segment">
                  {THEME_LABEL[c]}
                </Radio>
              ))}
            </div>
          </RadioGroup>
        </div>
      </nav>
      <main className="content">
        {restored && (
          // While a section's code loads, the content area stays empty (no spinner, no
          // layout shift); it is a local file, so this takes a frame or two.
          <Suspense fallback={<div className="section-loading" aria-busy="true" />}>
            <View />
          </Suspense>
        )}
      </main>
      <ToastRegion />
    </div>
  );
}
