/**
 * report.json's per-layer table as CSV, for spreadsheets and scripts. The column names are
 * stable (docs/csv.md documents each); numbers are written in full (String(x)), so every cell
 * reads back as exactly the value in report.json.
 */
import { stringify } from "csv-stringify/sync";
import type { RunReport } from "./report.js";

type Layer = RunReport["layers"][number];

/** The columns, in order: name and how to read the cell from a report layer. */
export const LAYER_CSV_COLUMNS: readonly { name: string; value: (l: Layer) => string | number }[] = [
  { name: "index", value: (l) => l.index },
  { name: "name", value: (l) => l.name },
  { name: "op", value: (l) => l.op },
  { name: "device", value: (l) => l.device },
  { name: "start_ns", value: (l) => l.startNs },
  { name: "end_ns", value: (l) => l.endNs },
  { name: "accelerator_compute_ns", value: (l) => l.breakdownNs.acceleratorCompute },
  { name: "transfer_ns", value: (l) => l.breakdownNs.transfer },
  { name: "cpu_prepare_ns", value: (l) => l.breakdownNs.cpuPrepare },
  { name: "cpu_finalize_ns", value: (l) => l.breakdownNs.cpuFinalize },
  { name: "cpu_other_ns", value: (l) => l.breakdownNs.cpuOther },
  { name: "idle_ns", value: (l) => l.breakdownNs.idle },
  { name: "total_ns", value: (l) => l.breakdownNs.total },
  { name: "invocations", value: (l) => l.invocations },
  { name: "replayed_invocations", value: (l) => l.replayedInvocations },
  { name: "macs", value: (l) => l.macs },
  { name: "host_load_bytes", value: (l) => l.hostLoadBytes },
  { name: "host_store_bytes", value: (l) => l.hostStoreBytes },
  { name: "prepare_bytes", value: (l) => l.prepareBytes },
  { name: "finalize_bytes", value: (l) => l.finalizeBytes },
];

/**
 * One header row, then one row per report.layers entry in execution order. Fields holding a
 * comma, quote or line break are quoted with quotes doubled (RFC 4180); lines end in "\n".
 */
export function layersCsv(report: RunReport): string {
  // String(x) is JavaScript's shortest round-trip form: parsing it gives back the same double.
  const rows = report.layers.map((l) => LAYER_CSV_COLUMNS.map((c) => String(c.value(l))));
  return stringify([LAYER_CSV_COLUMNS.map((c) => c.name), ...rows]);
}
