import { useQuery, useQueryClient } from "@tanstack/react-query";
import { observeElementRect, useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Button, Checkbox, Input, Label, SearchField } from "react-aria-components";
import type { CatalogModel } from "../../bindings";
import { ErrorState, Skeleton } from "../../components/QueryState";
import { loadPref, savePref } from "../../lib/prefs";
import { keys } from "../../lib/queryKeys";
import { catalogQuery, invalidateKeys } from "./queries";
import type { Exposure } from "./exposure";
import { foldForSearch, formatContext, formatPrice } from "./text";

/** A catalog entry; prices are shown when the provider reports them. */
type CatalogRow = CatalogModel;

const ROW_HEIGHT = 44;
const LIST_HEIGHT = 320;

const seenKey = (provider: string) => `catalog-seen.${provider}`;

/**
 * A provider's full catalog: a virtualized, searchable list of checkboxes (one per model,
 * named by its id), "Expose all shown" / "Hide all shown" and a running count. Models
 * that appeared since the last refresh are marked New and are never exposed by
 * themselves when a selection is explicit.
 */
export function ExposedModels({
  provider,
  label,
  canList,
  exposure,
  onChange,
}: {
  provider: string;
  label: string;
  canList: boolean;
  exposure: Exposure;
  onChange: (next: Exposure) => void;
}) {
  const qc = useQueryClient();
  const catalog = useQuery(catalogQuery(provider, canList));
  const [query, setQuery] = useState("");
  const newNames = useNewModels(provider, catalog.data, catalog.dataUpdatedAt);

  const rows = useMemo(
    () => (catalog.data ?? []).map((m) => ({ m: m as CatalogRow, key: foldForSearch(`${m.name} ${m.display_name ?? ""}`) })),
    [catalog.data],
  );
  // Filtering is a substring test over precomputed keys (well under a millisecond for
  // thousands of models) and only the visible rows render, so the list follows each
  // keystroke in the same frame (no deferred render, which would cost a frame or more).
  const shown = useMemo(() => {
    const q = foldForSearch(query.trim());
    return q ? rows.filter((r) => r.key.includes(q)) : rows;
  }, [rows, query]);
  const shownModels = useMemo(() => shown.map((r) => r.m), [shown]);

  const total = rows.length;
  const chosenCount = useMemo(() => rows.filter((r) => exposure.has(r.m.name)).length, [rows, exposure]);

  const toggle = useCallback(
    (name: string, on: boolean) => {
      const next = new Set(exposure);
      if (on) next.add(name);
      else next.delete(name);
      onChange(next);
    },
    [exposure, onChange],
  );
  const exposeShown = () => {
    const next = new Set(exposure);
    shown.forEach((r) => next.add(r.m.name));
    onChange(next);
  };
  const hideShown = () => {
    const next = new Set(exposure);
    shown.forEach((r) => next.delete(r.m.name));
    onChange(next);
  };

  if (!canList) {
    return (
      <div className="pv-exposed">
        <h3 className="pv-h3">Exposed models</h3>
        <p className="muted">Save an API key to choose which of {label}’s models Curator may use.</p>
      </div>
    );
  }

  const countText = exposure.size === 0 ? `All models (${total} exposed)` : `${chosenCount} of ${total} exposed`;

  return (
    <div className="pv-exposed">
      <div className="pv-exposed-head">
        <h3 className="pv-h3">Exposed models</h3>
        <Button
          className="button small"
          onPress={() => void invalidateKeys(qc, [keys.catalog(provider)])}
          isPending={catalog.isFetching}
        >
          Refresh catalog
        </Button>
      </div>
      <p className="field-help">
        Only exposed models are offered for task routes. With none chosen, every model is
        exposed, new ones included; once you choose some, new models wait for you.
      </p>
      {catalog.isPending ? (
        <Skeleton lines={5} />
      ) : catalog.isError ? (
        <ErrorState error={catalog.error} onRetry={() => void catalog.refetch()} />
      ) : (
        <>
          <div className="pv-exposed-tools">
            <SearchField className="pv-search" value={query} onChange={setQuery}>
              <Label className="pv-sr-only">Search models</Label>
              <Input className="pv-input" placeholder="Search models…" />
            </SearchField>
            <Button className="button small" onPress={exposeShown} isDisabled={shown.length === 0}>
              Expose all shown
            </Button>
            <Button className="button small" onPress={hideShown} isDisabled={shown.length === 0}>
              Hide all shown
            </Button>
            {exposure.size > 0 && (
              <Button className="button small" onPress={() => onChange(new Set())}>
                Expose every model
              </Button>
            )}
          </div>
          <p className="pv-count" role="status">
            {countText}
            {newNames.size > 0 && ` · ${newNames.size} new since the last refresh`}
          </p>
          {shown.length === 0 ? (
            <p className="muted">{total === 0 ? `${label} lists no models.` : "No models match."}</p>
          ) : (
            <VirtualList
              rows={shownModels}
              exposure={exposure}
              newNames={newNames}
              onToggle={toggle}
              provider={provider}
            />
          )}
        </>
      )}
    </div>
  );
}

const VirtualList = memo(function VirtualList({
  rows,
  exposure,
  newNames,
  onToggle,
  provider,
}: {
  rows: CatalogRow[];
  exposure: Exposure;
  newNames: ReadonlySet<string>;
  onToggle: (name: string, on: boolean) => void;
  provider: string;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns fresh functions by design
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 4,
    getItemKey: (i) => rows[i]?.name ?? i,
    initialRect: { width: 600, height: LIST_HEIGHT },
    // A list that has no size yet (hidden, or a test DOM) still shows its first rows.
    observeElementRect: (instance, cb) =>
      observeElementRect(instance, (r) => cb(r.height > 0 ? r : { width: r.width || 600, height: LIST_HEIGHT })),
  });
  return (
    <div
      ref={scrollRef}
      className="pv-catalog"
      style={{ height: LIST_HEIGHT }}
      role="group"
      aria-label="Models"
    >
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualizer.getVirtualItems().map((v) => {
          const m = rows[v.index];
          if (!m) return null;
          return (
            // Keyed by position: when the search changes the list, each visible row is
            // updated in place rather than unmounted and mounted again (much cheaper).
            <CatalogRowView
              key={v.index}
              model={m}
              start={v.start}
              descId={`pv-cat-${provider}-${m.name}`}
              selected={exposure.has(m.name)}
              isNew={newNames.has(m.name)}
              onToggle={onToggle}
            />
          );
        })}
      </div>
    </div>
  );
});

/** One model's row; skipped on re-render when neither it nor its place changed. */
const CatalogRowView = memo(function CatalogRowView({
  model: m,
  start,
  descId,
  selected,
  isNew,
  onToggle,
}: {
  model: CatalogRow;
  start: number;
  descId: string;
  selected: boolean;
  isNew: boolean;
  onToggle: (name: string, on: boolean) => void;
}) {
  const details = [
    m.display_name && m.display_name !== m.name ? m.display_name : null,
    formatContext(m.context_length),
    priceText(m),
  ].filter(Boolean);
  return (
    <div
      className="pv-catalog-row"
      style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${start}px)` }}
    >
      <Checkbox
        className="pv-checkbox"
        isSelected={selected}
        onChange={(on) => onToggle(m.name, on)}
        aria-label={m.name}
        aria-describedby={details.length || isNew ? descId : undefined}
      >
        <span className="pv-check" aria-hidden="true" />
        <span className="pv-catalog-name">{m.name}</span>
      </Checkbox>
      <span id={descId} className="pv-catalog-meta">
        {isNew && <span className="pv-badge pv-new">New</span>}
        {details.join(" · ")}
      </span>
    </div>
  );
});

function priceText(m: CatalogRow): string | null {
  const input = formatPrice(m.input_price_per_mtok);
  const output = formatPrice(m.output_price_per_mtok);
  if (!input && !output) return null;
  if (input === "free" && output === "free") return "free";
  return `${input ?? "?"} in / ${output ?? "?"} out per million tokens`;
}

/**
 * Models that appeared since the catalog was last seen (ids remembered per provider).
 * The first catalog ever seen marks nothing.
 */
function useNewModels(provider: string, data: CatalogModel[] | undefined, updatedAt: number) {
  const [fresh, setFresh] = useState<ReadonlySet<string>>(() => new Set());
  useEffect(() => {
    if (!data) return;
    let live = true;
    const names = data.map((m) => m.name);
    void loadPref<string[]>(seenKey(provider)).then((seen) => {
      if (!live) return;
      if (Array.isArray(seen)) {
        const before = new Set(seen);
        const added = names.filter((n) => !before.has(n));
        // Keep earlier marks while this panel is open; add the newly seen ones.
        setFresh((prev) => {
          const present = new Set(names);
          const next = new Set([...prev].filter((n) => present.has(n)));
          added.forEach((n) => next.add(n));
          return next;
        });
      }
      void savePref(seenKey(provider), names);
    });
    return () => {
      live = false;
    };
  }, [provider, data, updatedAt]);
  return fresh;
}
