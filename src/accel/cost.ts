/** Invocation costs add up field by field: one place for the sum every plan needs. */
import type { InvocationCost } from "./types.js";

export function zeroCost(): InvocationCost {
  return { cycles: 0, macs: 0, spadReadBytes: 0, spadWriteBytes: 0, hostLoadBytes: 0, hostStoreBytes: 0 };
}

/** Add `c` into `into` (mutates and returns `into`). */
export function addCost(into: InvocationCost, c: InvocationCost): InvocationCost {
  into.cycles += c.cycles;
  into.macs += c.macs;
  into.spadReadBytes += c.spadReadBytes;
  into.spadWriteBytes += c.spadWriteBytes;
  into.hostLoadBytes += c.hostLoadBytes;
  into.hostStoreBytes += c.hostStoreBytes;
  return into;
}
