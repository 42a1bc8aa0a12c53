const { loadScenarioFile } = require('/work/wt-lead/services/cli/dist/scenario.loader.js');
const { runInProcess } = require('@tlbsim/engine');
const cfg = loadScenarioFile('/work/wt-lead/scenarios/fleet.yaml', ['workload.accessesPerVcpu=' + (process.argv[2] || 30000), ...process.argv.slice(3)]);
const t0 = Date.now();
runInProcess(cfg, { shards: 1 }).then(r => { const m = r.metrics; console.log(((Date.now()-t0)/1000).toFixed(1)+'s', (m.accesses / ((Date.now()-t0)/1000)/1e6).toFixed(2), 'M/s windows', m.windows, 'simNs', m.simulatedNs, 'l0', JSON.stringify(m.l0), 'time', JSON.stringify(m.time.percent)); });
