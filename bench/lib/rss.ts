/**
 * Samples each process's resident set size (VmRSS in /proc/<pid>/status) and CPU time
 * (utime + stime in /proc/<pid>/stat): RSS is a target of issue 7, and CPU per process and phase
 * shows where the two cores went in each case.
 */
import fs from 'node:fs';

export interface RssSample {
  /** Seconds since the sampler started. */
  t: number;
  /** The case running when the sample was taken. */
  phase: string;
  /** RSS in MB per process name. */
  mb: Record<string, number>;
  /** CPU seconds used so far per process name. */
  cpuS: Record<string, number>;
}

const TICKS_PER_SECOND = 100;

export function readRssMb(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) of a process, its exited children not included. */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Processes whose command line mentions `needle` (the infrastructure started under one data folder). */
export function findProcesses(needle: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

export class RssSampler {
  readonly samples: RssSample[] = [];
  phase = 'start-up';
  private timer?: NodeJS.Timeout;
  private readonly started = Date.now();

  /** pids: the processes whose RSS is a target; cpuOnly: others whose CPU is of interest (RSS recorded too). */
  constructor(
    private readonly pids: Map<string, number>,
    private readonly others: Map<string, number> = new Map(),
  ) {}

  get available(): boolean {
    return this.pids.size > 0;
  }

  get names(): string[] {
    return [...this.pids.keys()];
  }

  start(intervalMs: number): void {
    if (!this.available) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A process started for one case (its CPU per phase is reported beside the shop's). */
  track(name: string, pid: number): void {
    this.others.set(name, pid);
  }

  untrack(name: string): void {
    this.others.delete(name);
  }

  sample(): RssSample {
    const mb: Record<string, number> = {};
    const cpuS: Record<string, number> = {};
    for (const [name, pid] of [...this.pids, ...this.others]) {
      const rss = readRssMb(pid);
      const cpu = readCpuSeconds(pid);
      if (rss !== undefined) mb[name] = rss;
      if (cpu !== undefined) cpuS[name] = cpu;
    }
    const usage = process.cpuUsage();
    cpuS.bench = (usage.user + usage.system) / 1e6;
    const sample = { t: Math.round((Date.now() - this.started) / 100) / 10, phase: this.phase, mb, cpuS };
    this.samples.push(sample);
    return sample;
  }

  /** The largest RSS each (target) process reached, overall and per phase. */
  peaks(): { overall: Record<string, number>; byPhase: Record<string, Record<string, number>> } {
    const overall: Record<string, number> = {};
    const byPhase: Record<string, Record<string, number>> = {};
    for (const { phase, mb } of this.samples) {
      const phasePeaks = (byPhase[phase] ??= {});
      for (const name of this.pids.keys()) {
        const value = mb[name];
        if (value === undefined) continue;
        overall[name] = Math.max(overall[name] ?? 0, value);
        phasePeaks[name] = Math.max(phasePeaks[name] ?? 0, value);
      }
    }
    return { overall, byPhase };
  }

  /** Average CPU use per process in each phase, in % of one core (200 % = both cores of this machine). */
  cpuByPhase(): Record<string, Record<string, number>> {
    const used: Record<string, Record<string, number>> = {};
    const seconds: Record<string, number> = {};
    for (let i = 1; i < this.samples.length; i++) {
      const previous = this.samples[i - 1]!;
      const current = this.samples[i]!;
      const phase = current.phase;
      if (previous.phase !== phase) continue;
      seconds[phase] = (seconds[phase] ?? 0) + (current.t - previous.t);
      const phaseUse = (used[phase] ??= {});
      for (const [name, cpu] of Object.entries(current.cpuS)) {
        const before = previous.cpuS[name];
        if (before !== undefined) phaseUse[name] = (phaseUse[name] ?? 0) + (cpu - before);
      }
    }
    return Object.fromEntries(
      Object.entries(used).map(([phase, byName]) => [
        phase,
        Object.fromEntries(Object.entries(byName).map(([name, cpu]) => [name, Math.round((100 * cpu) / Math.max(0.001, seconds[phase] ?? 0))])),
      ]),
    );
  }
}
