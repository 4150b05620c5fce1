import { useMutation, useQueryClient } from "@tanstack/react-query";
import { commands } from "../../bindings";
import { call } from "../../lib/ipc";
import { invalidates, keys } from "../../lib/queryKeys";

/**
 * Ask every enabled provider again (bypassing the core's 120 s cache). The answer
 * replaces the cached model list; readiness is re-checked since it reads the same lists.
 */
export function useRefreshModels() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => call(commands.listModels(true)),
    onSuccess: (fresh) => {
      qc.setQueryData(keys.models, fresh);
      return Promise.all(invalidates.refreshModels().map((queryKey) => qc.invalidateQueries({ queryKey })));
    },
  });
}
