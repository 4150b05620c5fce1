/**
 * The models chosen to be exposed (`selected_models`). None chosen means every model is
 * exposed, including ones that appear later; a choice is never widened by itself.
 */
export type Exposure = ReadonlySet<string>;

export const exposureOf = (selected: readonly string[]): Exposure => new Set(selected);

export const isExposed = (e: Exposure, name: string) => e.size === 0 || e.has(name);

export function sameExposure(a: Exposure, b: Exposure): boolean {
  if (a.size !== b.size) return false;
  for (const n of a) if (!b.has(n)) return false;
  return true;
}
