import { useEffect, useState, type ReactNode } from "react";
import { loadPref, savePref } from "../../lib/prefs";
import { DatabasePane } from "../database/DatabasePane";

const SECTIONS = [
  { id: "providers", label: "Providers" },
  { id: "routes", label: "Task routes" },
  { id: "database", label: "Database" },
] as const;

type SectionId = (typeof SECTIONS)[number]["id"];

const isSection = (v: unknown): v is SectionId => SECTIONS.some((s) => s.id === v);

function Placeholder({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="pane" aria-labelledby={`${title}-title`}>
      <h1 id={`${title}-title`}>{title}</h1>
      <p className="muted">{children}</p>
    </section>
  );
}

/** The settings window's frame: a sidebar of sections and the selected pane. */
export function Shell() {
  const [section, setSection] = useState<SectionId>("database");

  // Reopen the section that was open last time.
  useEffect(() => {
    let live = true;
    void loadPref<string>("section").then((saved) => {
      if (live && isSection(saved)) setSection(saved);
    });
    return () => {
      live = false;
    };
  }, []);

  const choose = (id: SectionId) => {
    setSection(id);
    void savePref("section", id);
  };

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Settings sections">
        <div className="brand">Curator</div>
        <ul role="list">
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                className="nav-item"
                aria-current={section === s.id ? "page" : undefined}
                onClick={() => choose(s.id)}
              >
                {s.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        {section === "providers" && (
          <Placeholder title="Providers">
            Connect Ollama, OpenAI, Anthropic, Google Gemini or OpenRouter. The same operations are
            available today from the <code>curator providers</code> command.
          </Placeholder>
        )}
        {section === "routes" && (
          <Placeholder title="Task routes">
            Route categorization and scoring to the models you choose. Until this panel lands, use{" "}
            <code>curator routes</code>.
          </Placeholder>
        )}
        {section === "database" && <DatabasePane />}
      </main>
    </div>
  );
}
