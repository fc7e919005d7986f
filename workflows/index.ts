// The workflow bundle's entry point: every workflow type the worker runs.
export { applicationWorkflow } from './application';
export { retentionWorkflow } from './retention';
