/** Formatting shared by the sections (sizes, context lengths, ages, search). */

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Binary units labelled GB/MB, as the original: ≥ 1 GiB → "7.6 GB", else whole "512 MB". */
export function formatSize(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(1)} GB`;
  if (bytes >= MiB) return `${Math.round(bytes / MiB)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

/** A context window in tokens: 128000 → "128k", 1048576 → "1M". */
export function formatContext(tokens: number): string {
  if (tokens >= 1_000_000) return `${Number((tokens / 1_000_000).toFixed(1))}M`;
  if (tokens >= 1000) return `${Math.round(tokens / 1000)}k`;
  return String(tokens);
}

/** A duration in seconds as words: "just now", "45 s", "12 min", "3 h", "2 days". */
export function formatAge(seconds: number): string {
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h`;
  const days = Math.round(seconds / 86_400);
  return `${days} ${days === 1 ? "day" : "days"}`;
}

/** "just now" or "12 min ago". */
export function formatAgo(seconds: number): string {
  const age = formatAge(seconds);
  return age === "just now" ? age : `${age} ago`;
}

/** A local date and time for an RFC 3339 instant (the raw text if it cannot be read). */
export function formatTime(rfc3339: string): string {
  const t = new Date(rfc3339);
  if (Number.isNaN(t.getTime())) return rfc3339;
  return t.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** Case- and accent-insensitive form for "contains" search. */
export function searchable(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase();
}

export function containsLoose(text: string, query: string): boolean {
  return searchable(text).includes(searchable(query.trim()));
}

/** Speed of a transfer from two samples: "12.3 MB/s" or "850.0 KB/s". */
export function formatSpeed(bytesPerSecond: number): string {
  if (bytesPerSecond >= MiB) return `${(bytesPerSecond / MiB).toFixed(1)} MB/s`;
  return `${(bytesPerSecond / 1024).toFixed(1)} KB/s`;
}
