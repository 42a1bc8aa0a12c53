/** Process exit codes of `tlbsim`: declared once in `@tlbsim/contracts`, shared with the worker process. */
export { EXIT } from '@tlbsim/contracts';
