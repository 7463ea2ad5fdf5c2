// The runner: `runExperiment` (worker pool or in-thread, results log, resume, atomic results file) for Node, and the
// browser-safe pieces (`runExperimentHere`, `assembleResults`, `parseResults`) for the lab page.
export { runExperiment, defaultWorkers, type RunOptions, type RunOutcome, type Failure, type ProgressEvent } from './run.js';
export { runExperimentHere, runUnitsHere, type LocalRunOptions } from './local.js';
export { assembleResults, summariseRecords, sortRecords, unitsOf, unitKey, trialSeed, withoutTiming, checkCellResult, type Unit } from './assemble.js';
export { ResultsLog, logPath, resultsPath, writeFileAtomic, configKey } from './log.js';
export { parseResults, loadResultsDir, MAX_RESULTS_BYTES } from './load.js';
export { progressMode, progressPrinter, type ProgressMode } from './progress.js';
