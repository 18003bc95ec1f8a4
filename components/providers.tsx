"use client";
// Client-side providers: who is signed in (useCaller/useCan), one QueryClient per browser tab
// (live lists) and the toaster (useToast).
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { CallerProvider, type ClientCaller } from "./auth/caller-context";
import { ToastProvider } from "./ui/toast";

/** Non-zero staleTime: a page fetched on the server is not refetched at once on the client. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { staleTime: 2_000, refetchOnWindowFocus: true, retry: 1 } },
  });
}

export function Providers({ caller, children }: { caller: ClientCaller | null; children: ReactNode }) {
  const [client] = useState(createQueryClient);
  return (
    <CallerProvider caller={caller}>
      <QueryClientProvider client={client}>
        <ToastProvider>{children}</ToastProvider>
      </QueryClientProvider>
    </CallerProvider>
  );
}
