/** Plain tables for every command: no colours, so logs and pipes stay clean. */
import Table from "cli-table3";

export function table(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [] } });
}
