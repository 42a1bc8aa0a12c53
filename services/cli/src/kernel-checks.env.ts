import { kernelChecks } from '@tlbsim/sim-core';

/**
 * `TLBSIM_KERNEL_CHECKS=1` turns on the kernel's per-message debug checks
 * (declared payload ranges) for this process: a debug run of any command,
 * worker included. Imported first by main.ts for its side effect.
 */
kernelChecks.enabled = process.env.TLBSIM_KERNEL_CHECKS === '1';
