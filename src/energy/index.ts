/**
 * Energy: a technology table of per-action energies (part of the SoC description) and the
 * accounting that turns a run's action counts into a breakdown. docs/energy.md.
 */
export * from "./account.js";
export * from "./table.js";
