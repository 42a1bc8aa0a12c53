/**
 * Events that stay inside a vCPU (no message marks them), recorded for a
 * timeline (`tlbsim run --trace-out`) only when a shard is asked to
 * ({@link ShardSim.traceLocalEvents}); never read by the kernel, so a run
 * and its digest are the same with tracing on. Three numbers each: the
 * kind, the simulated time in ns and the vCPU's actor id.
 */

/** An SMI: `enter_smm()`, the vCPU leaves for its SMM-role root. */
export const LOCAL_SMI = 1;
/** RSM: `emulator_leave_smm()`, the SMM-role root is put. */
export const LOCAL_RSM = 2;
/** A nested VMRUN and #VMEXIT back to back (`workload.l3TimePercent` 0: no L3 time, no root switch message). */
export const LOCAL_NESTED_PAIR = 3;

/** Numbers per local event. */
export const LOCAL_EVENT_WIDTH = 3;
