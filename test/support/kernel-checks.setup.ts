import { kernelChecks } from '@tlbsim/sim-core';

// Every test runs the kernel with its debug checks on (per-message payload ranges).
kernelChecks.enabled = true;
// ... and the tlbsim processes the tests start (workers, serve, the CLI) inherit it.
process.env.TLBSIM_KERNEL_CHECKS = '1';
