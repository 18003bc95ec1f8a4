"use client";
// Who is signed in, for client components: the root layout reads the caller on the server and
// hands this plain copy down. It only decides what to show; the server decides what is allowed.
import { createContext, type ReactNode, useContext } from "react";
import { type Role, rolesInclude } from "@/lib/auth/roles";

export interface ClientCaller {
  name: string;
  /** Empty: signed in, but none of the user's groups maps to a Jobdeck role. */
  roles: Role[];
  source: "session" | "demo" | "token";
  /** ISO time at which the session ends, when known. */
  expiresAt: string | null;
}

const CallerContext = createContext<ClientCaller | null>(null);

export function CallerProvider({ caller, children }: { caller: ClientCaller | null; children: ReactNode }) {
  return <CallerContext.Provider value={caller}>{children}</CallerContext.Provider>;
}

/** The signed-in caller, or null on the sign-in pages. */
export function useCaller(): ClientCaller | null {
  return useContext(CallerContext);
}

/** Whether the caller holds `role` or a stronger one (admin ⊃ operator ⊃ viewer). */
export function useCan(role: Role): boolean {
  const caller = useCaller();
  return caller != null && rolesInclude(caller.roles, role);
}
