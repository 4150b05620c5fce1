import { queryOptions } from "@tanstack/react-query";
import { commands } from "../../bindings";
import { call } from "../../lib/ipc";

export const databaseKeys = {
  all: ["database"] as const,
  status: () => [...databaseKeys.all, "status"] as const,
};

export const statusQuery = () =>
  queryOptions({
    queryKey: databaseKeys.status(),
    queryFn: () => call(commands.appStatus()),
    retry: false,
  });
