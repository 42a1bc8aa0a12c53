const { loadScenarioFile } = require('/work/wt-lead/services/cli/dist/scenario.loader.js');
const { runInProcess } = require('@tlbsim/engine');
const cfg = loadScenarioFile('/work/wt-lead/scenarios/fleet.yaml', ['workload.accessesPerVcpu=' + (process.argv[2] || 30000), ...process.argv.slice(3)]);
const t0 = Date.now(); if (process.env.EXIT_MS) setTimeout(() => process.exit(0), +process.env.EXIT_MS);
runInProcess(cfg, { shards: 1 }).then(r => console.log((r.metrics.accesses / ((Date.now()-t0)/1000)/1e6).toFixed(2), 'M/s', r.digest.slice(0,12), JSON.stringify(r.metrics.rates ?? {}).slice(0,300)));
