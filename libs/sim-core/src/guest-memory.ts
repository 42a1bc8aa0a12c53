/**
 * The guest's page tables, as a fixed function of the workload: each vCPU
 * owns a region of its VM's GPA space and each guest process maps its GVA
 * pages into that region with its own offset. Fixed, so a combined TLB
 * entry's GPA need not be stored.
 */

/** Per-process offset of the guest's GVA -> GPA function. */
export function gpaShiftOf(process: number, workingSetPages: number): number {
  return (process * 7919) % workingSetPages;
}

/**
 * The region page working-set page `x` maps to, given its process's
 * {@link gpaShiftOf}: (x + shift) mod workingSetPages. The access loop calls
 * it with the shift computed once per batch.
 */
export function regionPageOf(x: number, gpaShift: number, workingSetPages: number): number {
  const g = x + gpaShift;
  return g >= workingSetPages ? g - workingSetPages : g;
}

/**
 * The guest page tables, as a fixed function: GVA page (process << 20 | x)
 * maps to GPA page regionBase + (x + shift(process)) mod workingSetPages.
 */
export function gpaOfGva(gva: number, workingSetPages: number, regionBase: number): number {
  return regionBase + regionPageOf(gva & 0xfffff, gpaShiftOf(gva >>> 20, workingSetPages), workingSetPages);
}
