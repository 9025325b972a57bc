// Preloaded into the shop's processes by `npm run bench -- --cpu-prof` (NODE_OPTIONS=--require
// this file): Node 20 refuses --cpu-prof in NODE_OPTIONS, so this does the same through the
// inspector and writes BENCH_CPU_PROF_DIR/CPU.<pid>.cpuprofile at exit. Sampling starts at the
// first SIGUSR2 (the benchmark sends it once seeding is done), so the profile shows the cases only.
'use strict';
const fs = require('node:fs');
const inspector = require('node:inspector');
const path = require('node:path');

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  let started = false;
  let written = false;
  const start = () => {
    if (started) return;
    started = true;
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROF_INTERVAL_US || 1000) });
    session.post('Profiler.start');
  };
  const write = () => {
    if (!started || written) return;
    written = true;
    // A session on the main thread answers synchronously, so this works in an exit handler too.
    session.post('Profiler.stop', (error, result) => {
      if (error || !result) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `CPU.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.on('SIGUSR2', start);
  process.on('exit', write);
}
