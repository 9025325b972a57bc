/** Reads a V8 .cpuprofile (node --cpu-prof) and tells where the time went. */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  busyMs: number;
  selfByFunction: Array<{ name: string; ms: number; pct: number }>;
  inclusiveByFunction: Array<{ name: string; ms: number; pct: number }>;
  selfByPackage: Array<{ name: string; ms: number; pct: number }>;
}

function shortUrl(url: string): string {
  if (!url) return '';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const repo = url.search(/\/(common|customer|products|shopping|gateway)\/dist\//);
  if (repo >= 0) return url.slice(repo + 1);
  return url.replace(/^file:\/\//, '');
}

function packageOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const repo = /\/(common|customer|products|shopping|gateway)\/dist\//.exec(url);
  return repo ? `shop:${repo[1]}` : url;
}

/** Microseconds of self time, inclusive time and self time by package, with the profile's busy and idle time. */
interface ProfileTimes {
  totalUs: number;
  idleUs: number;
  self: Map<string, number>;
  inclusive: Map<string, number>;
  packages: Map<string, number>;
}

function readProfileTimes(file: string): ProfileTimes {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const key = (node: ProfileNode): string => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || '(anonymous)'}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`;
  };
  const times: ProfileTimes = { totalUs: 0, idleUs: 0, self: new Map(), inclusive: new Map(), packages: new Map() };
  const add = (map: Map<string, number>, name: string, us: number): void => {
    map.set(name, (map.get(name) ?? 0) + us);
  };
  for (let i = 0; i < profile.samples.length; i++) {
    // The delta after a sample is the time spent in it.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    times.totalUs += us;
    if (node.callFrame.functionName === '(idle)') {
      times.idleUs += us;
      continue;
    }
    add(times.self, key(node), us);
    add(times.packages, packageOf(node.callFrame.url, node.callFrame.functionName), us);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const ancestor = byId.get(id)!;
      const name = key(ancestor);
      if (name.startsWith('(root)') || seen.has(name)) continue;
      seen.add(name);
      add(times.inclusive, name, us);
    }
  }
  return times;
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const { totalUs, idleUs, self, inclusive, packages } = readProfileTimes(file);
  const busy = totalUs - idleUs;
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: Math.round((us / Math.max(1, busy)) * 1000) / 10 }));
  return {
    file,
    totalMs: Math.round(totalUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    busyMs: Math.round(busy / 1000),
    selfByFunction: ranked(self),
    inclusiveByFunction: ranked(inclusive),
    selfByPackage: ranked(packages),
  };
}

/** A profile and the requests it served, so that its times read per request. */
export interface ProfileRun {
  file: string;
  requests: number;
}

/**
 * Self time per request of each function (and each package) in two profiles of the same work, the
 * functions that differ most first: what the first process pays per request that the second does not.
 */
export function compareProfiles(first: ProfileRun, second: ProfileRun, top = 25): string {
  const [a, b] = [readProfileTimes(first.file), readProfileTimes(second.file)];
  const perRequest = (us: number | undefined, requests: number): number => Math.round(((us ?? 0) / requests) * 100) / 100;
  const busy = (times: ProfileTimes, run: ProfileRun): number => perRequest(times.totalUs - times.idleUs, run.requests);
  const lines = [
    `A: ${first.file} (${first.requests} requests), B: ${second.file} (${second.requests} requests)`,
    `busy µs per request: A ${busy(a, first)}, B ${busy(b, second)} (A/B x${Math.round((busy(a, first) / busy(b, second)) * 100) / 100})`,
    '',
  ];
  const table = (title: string, mapA: Map<string, number>, mapB: Map<string, number>): void => {
    const rows = [...new Set([...mapA.keys(), ...mapB.keys()])].map((name) => {
      const [usA, usB] = [perRequest(mapA.get(name), first.requests), perRequest(mapB.get(name), second.requests)];
      return { name, usA, usB, difference: Math.round((usA - usB) * 100) / 100 };
    });
    rows.sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference));
    lines.push(`| ${title} | A µs/req | B µs/req | A - B |`, '| --- | ---: | ---: | ---: |');
    for (const row of rows.slice(0, top)) lines.push(`| ${row.name.replace(/\|/g, '\\|')} | ${row.usA} | ${row.usB} | ${row.difference} |`);
    lines.push('');
  };
  table('self time by package', a.packages, b.packages);
  table('self time by function', a.self, b.self);
  return lines.join('\n');
}

export function formatProfile(summary: ProfileSummary): string {
  const lines = [`### ${summary.file}`, `busy ${summary.busyMs} ms of ${summary.totalMs} ms sampled (idle ${summary.idleMs} ms); % of busy time`, ''];
  const table = (title: string, rows: ProfileSummary['selfByFunction']): void => {
    lines.push(`| ${title} | ms | % |`, '| --- | ---: | ---: |');
    for (const row of rows) lines.push(`| ${row.name.replace(/\|/g, '\\|')} | ${row.ms} | ${row.pct} |`);
    lines.push('');
  };
  table('self time by package', summary.selfByPackage);
  table('self time by function', summary.selfByFunction);
  table('inclusive time by function', summary.inclusiveByFunction);
  return lines.join('\n');
}
