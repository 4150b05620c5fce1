import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { Channel } from "@tauri-apps/api/core";
import { commands, type UpgradeProgress, type UpgradeReport } from "../../bindings";
import { call } from "../../lib/ipc";
import { keys } from "../../lib/queryKeys";

export const databaseKeys = {
  status: () => keys.status,
  upgradePlan: () => keys.upgradePlan,
  backups: () => keys.backups,
};

export type { BackupFile } from "../../bindings";

export const backupsQuery = () =>
  queryOptions({
    queryKey: databaseKeys.backups(),
    queryFn: () => call(commands.listBackups()),
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
