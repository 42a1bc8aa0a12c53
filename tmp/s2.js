const { loadScenarioFile } = require('/work/wt-lead/services/cli/dist/scenario.loader.js');
const { runInProcess } = require('@tlbsim/engine');
const cfg = loadScenarioFile('/work/wt-lead/scenarios/fleet.yaml', process.argv.slice(2));
runInProcess(cfg, { shards: 1 }).then(r => { const m = r.metrics; console.log(JSON.stringify({acc: m.accesses, win: m.windows, sim: m.simulatedNs, hc: m.hypercalls, ev: m.events, roots: m.roots, time: m.time.percent, l0: m.l0, stall: m.stallLimit})); });
