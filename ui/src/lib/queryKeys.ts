/**
 * Every TanStack Query key the window uses, defined once, and what each mutation
 * invalidates. A mutation invalidates exactly the queries whose data its command
 * changes; the table below is the single place that says so.
 */
export const keys = {
  status: ["status"] as const,
  /** What the legacy upgrade of the open database would do (nothing written). */
  upgradePlan: ["upgrade-plan"] as const,
  backups: ["backups"] as const,
  providerKinds: ["provider-kinds"] as const,
  providers: ["providers"] as const,
  keyStore: ["key-store"] as const,
  /** Live health of one configured provider (polled while the window is visible). */
  health: (provider: string) => ["health", provider] as const,
  healthAll: ["health"] as const,
  catalog: (provider: string) => ["catalog", provider] as const,
  catalogAll: ["catalog"] as const,
  /** Where a provider's requests go for a base URL (the live preview under "Base URL"). */
  endpoint: (provider: string, baseUrl: string | null) => ["provider-endpoint", provider, baseUrl] as const,
  routes: ["routes"] as const,
  readiness: ["readiness"] as const,
  /** Queue counts per task and the pauses in force (polled while the window is visible). */
  queue: ["queue"] as const,
  /** The newest failure of each task, with its reason. */
  queueFailures: ["queue-failures"] as const,
  models: ["models"] as const,
  ollamaModels: ["ollama", "models"] as const,
  ollamaPs: ["ollama", "ps"] as const,
  ollamaPulls: ["ollama", "pulls"] as const,
  ollamaAll: ["ollama"] as const,
} as const;

type Key = readonly unknown[];

/**
 * What each command that changes something invalidates (prefix match). Keep this in
 * step with the Rust command: if the command writes it, its query is listed here.
 */
export const invalidates = {
  /** Saves config (and key): the provider list, its catalog selection, the models the
   * routes can use, readiness, and its health (host/URL/key may have changed). */
  updateProviderConfig: (p: string): Key[] => [
    keys.providers,
    keys.catalog(p),
    keys.models,
    keys.readiness,
    keys.health(p),
    keys.ollamaAll,
  ],
  setProviderEnabled: (p: string): Key[] => [keys.providers, keys.models, keys.readiness, keys.health(p)],
  /** Disconnect removes config, key and routes. */
  deleteProvider: (p: string): Key[] => [
    keys.providers,
    keys.catalog(p),
    keys.models,
    keys.readiness,
    keys.routes,
    keys.health(p),
    keys.ollamaAll,
  ],
  /** A test re-checks reachability; readiness follows health. */
  testProvider: (p: string): Key[] => [keys.health(p), keys.readiness],
  updateTaskRoutes: (): Key[] => [keys.routes, keys.readiness],
  /** A rescore re-queues articles and follows them to the end: counts and failures change. */
  rescore: (): Key[] => [keys.queue, keys.queueFailures],
  /** `list_models(true)` refetches every catalog; its answer replaces `keys.models`
   * directly, and readiness reads the same lists. */
  refreshModels: (): Key[] => [keys.readiness],
  ollamaPull: (): Key[] => [keys.ollamaModels, keys.models, keys.readiness, keys.catalog("ollama")],
  ollamaDelete: (): Key[] => [keys.ollamaModels, keys.ollamaPs, keys.models, keys.readiness, keys.catalog("ollama")],
  openDatabase: (): Key[] => [[]],
  upgradeDatabase: (): Key[] => [[]],
} as const;
