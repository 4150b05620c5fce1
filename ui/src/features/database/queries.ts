import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { Channel, invoke } from "@tauri-apps/api/core";
import { commands, type ApiError, type UpgradeProgress, type UpgradeReport } from "../../bindings";
import { call, CommandError } from "../../lib/ipc";
import { keys } from "../../lib/queryKeys";

export const databaseKeys = {
  status: () => keys.status,
  upgradePlan: () => keys.upgradePlan,
  backups: () => keys.backups,
};

/** One backup copy beside the database (`<file>.bak-<UTC time>`), newest first. */
export type BackupFile = { name: string; path: string; size: number; modified: string /* RFC 3339 */ };

// `commands.listBackups()` once the bindings have it; the same command by name until then.
const listBackups = (): Promise<BackupFile[]> =>
  invoke<BackupFile[]>("list_backups").catch((e: unknown) => {
    throw e instanceof Error ? e : new CommandError(e as ApiError);
  });

export const backupsQuery = () =>
  queryOptions({
    queryKey: databaseKeys.backups(),
    queryFn: listBackups,
  });

export const statusQuery = () =>
  queryOptions({
    queryKey: databaseKeys.status(),
    queryFn: () => call(commands.appStatus()),
    retry: false,
  });

/** What an upgrade of the current database would do; nothing is written. */
export const upgradePlanQuery = (enabled: boolean) =>
  queryOptions({
    queryKey: databaseKeys.upgradePlan(),
    queryFn: () => call(commands.inspectUpgrade()),
    retry: false,
    enabled,
  });

/**
 * Switching or upgrading the database changes every answer the app has cached, so
 * both mutations reset the whole cache rather than naming keys.
 */
export function useOpenDatabase() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (path: string) => call(commands.openDatabase(path)),
    onSettled: () => qc.resetQueries(),
  });
}

/** `onDone` runs before the status is refetched (which unmounts the upgrade panel). */
export function useUpgradeDatabase(
  onProgress: (p: UpgradeProgress) => void,
  onDone: (r: UpgradeReport) => void,
) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => {
      const channel = new Channel<UpgradeProgress>();
      channel.onmessage = onProgress;
      return call(commands.upgradeDatabase(channel));
    },
    onSuccess: (report) => {
      onDone(report);
      // The upgrade wrote a backup beside the database.
      return Promise.all([
        qc.resetQueries({ queryKey: databaseKeys.status() }),
        qc.invalidateQueries({ queryKey: databaseKeys.backups() }),
      ]);
    },
  });
}
