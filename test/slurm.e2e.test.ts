// Sharded runs on a real Slurm (the one-node cluster of .ci/slurm-up.sh, which .ci/run starts): an array job of three
// tasks, each picking its shard up from SLURM_ARRAY_TASK_ID/COUNT, one of them killed with scancel, merge naming
// exactly the units it did not finish, and that one index resubmitted with --resume completing the run — merged JSON
// byte-identical to an unsharded run; then docs/cluster.md's two batch scripts as written, the merge an afterok job.
// Skips, saying why, where no Slurm controller answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getExperiment } from '../src/experiments/index.js';
import { buildConfig } from '../src/config/index.js';
import { unitKey, unitsOf } from '../src/runner/assemble.js';
import { dealUnits, shardLog } from '../src/runner/shard.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const conf = process.env.SLURM_CONF ?? '/tmp/condlab-slurm/slurm.conf';
const env = { ...process.env, SLURM_CONF: conf };

function slurmProblem(): string {
  if (!existsSync(conf)) return `no Slurm config at ${conf} (start a test cluster with .ci/slurm-up.sh, or set SLURM_CONF)`;
  const ping = spawnSync('scontrol', ['ping'], { env, encoding: 'utf8', timeout: 10_000 });
  if (ping.error) return `scontrol not runnable (${ping.error.message}); install slurm-wlm`;
  if (!/\bUP\b/.test(ping.stdout)) return `slurmctld does not answer (scontrol ping: ${(ping.stdout + ping.stderr).trim().slice(0, 200)})`;
  const sinfo = spawnSync('sinfo', ['-h', '-o', '%a %t'], { env, encoding: 'utf8', timeout: 10_000 });
  if (!/up (idle|mix|alloc)/.test(sinfo.stdout)) return `no usable node (sinfo: ${sinfo.stdout.trim().slice(0, 200)})`;
  return '';
}
const problem = slurmProblem();
if (problem) console.log(`slurm e2e test skipped: ${problem}`);

// exp1 over two dims: cells of different cost, so the cost-balanced dealing is what the cluster runs
const RUN = ['run', 'exp1', '--trials', '6', '--dims', '16,48', '--epochs', '400', '--workers', '1', '--quiet'];
const cli = ['--import', 'tsx', join(repo, 'test/fixtures/cli.ts')];
const exp = getExperiment('exp1');
const config = buildConfig(exp, 'quick', { trials: 6, dims: [16, 48], epochs: 400 });

let work: string;
let ref: string;
beforeAll(() => {
  if (problem) return;
  work = mkdtempSync(join(tmpdir(), 'condlab-slurm-'));
  const r = spawnSync(process.execPath, [...cli, ...RUN, '--out', join(work, 'ref')], { cwd: repo, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  ref = readFileSync(join(work, 'ref', 'exp1.json'), 'utf8');
  // the batch script a user would write (docs/cluster.md), with this checkout's CLI instead of npx condlab
  writeFileSync(join(work, 'job.sh'), [
    '#!/bin/bash',
    '#SBATCH --cpus-per-task=1',
    'set -euo pipefail',
    `exec ${process.execPath} ${cli.join(' ')} ${RUN.join(' ')} --out "$SHARDS" "$@"`,
    '',
  ].join('\n'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const beforeTiming = (text: string) => text.slice(0, text.indexOf('\n "timing": {'));

/**
 * Submits the array job and resolves once every task has ended, with their final states. Not `sbatch --wait`: it
 * polls with a backoff that grows to 32 s, which made this test take 90 s instead of 25; squeue every 0.2 s and the
 * tasks' states from `scontrol show job` are the same facts sooner.
 */
async function submit(array: string, scriptArgs: string[], shards: string, onJobId?: (id: string) => void): Promise<{ id: string; states: Record<string, string> }> {
  mkdirSync(shards, { recursive: true }); // Slurm opens --output before the job runs: the directory must exist
  const args = ['--parsable', `--array=${array}`, `--chdir=${repo}`, `--output=${shards}/slurm-%A_%a.out`, join(work, 'job.sh'), ...scriptArgs];
  const sub = spawnSync('sbatch', args, { env: { ...env, SHARDS: shards }, encoding: 'utf8' });
  expect(sub.status, sub.stderr).toBe(0);
  const id = sub.stdout.trim().split(';')[0];
  onJobId?.(id);
  return { id, states: await ended(id) };
}

function merge(dir: string, out: string) {
  return spawnSync(process.execPath, [...cli, 'merge', dir, '--out', out], { cwd: repo, encoding: 'utf8' });
}

/** Waits until Slurm has forgotten `id` as pending or running; returns its final state(s) by array task. */
async function ended(id: string): Promise<Record<string, string>> {
  for (const t0 = Date.now(); Date.now() - t0 < 300_000; ) {
    const q = spawnSync('squeue', ['-h', '-j', id, '-o', '%T'], { env, encoding: 'utf8' });
    if (q.status === 0 && q.stdout.trim() === '') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const show = spawnSync('scontrol', ['-o', 'show', 'job', id], { env, encoding: 'utf8' }).stdout;
  const states: Record<string, string> = {};
  for (const line of show.trim().split('\n')) states[/ArrayTaskId=(\S+)/.exec(line)?.[1] ?? 'job'] = /JobState=(\S+)/.exec(line)?.[1] ?? '?';
  return states;
}

describe.skipIf(problem !== '')('on a real Slurm', () => {
  it('an array job takes its shards from Slurm; scancel of one task: merge names its missing units; resubmitting that index with --shards 3 --resume completes the run, byte-identical to the unsharded one', async () => {
    const shards = join(work, 'killed');
    const log1 = shardLog(shards, 'exp1', { index: 1, count: 3 });
    // kill task 1 as soon as it has started writing its log (its units take over a second after that)
    // no --shards: each task must take its shard from SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT
    const job = await submit('0-2', [], shards, (id) => {
      const t0 = Date.now();
      const poll = setInterval(() => {
        if (existsSync(log1) || Date.now() - t0 > 60_000) {
          clearInterval(poll);
          spawnSync('scancel', [`${id}_1`], { env });
        }
      }, 25);
    });
    expect(job.states).toEqual({ 0: 'COMPLETED', 1: 'CANCELLED', 2: 'COMPLETED' });
    expect(existsSync(join(shards, 'exp1.shard-1-of-3.json')), 'task 1 finished before scancel reached it').toBe(false);
    expect(existsSync(join(shards, 'exp1.shard-0-of-3.json'))).toBe(true);
    expect(existsSync(join(shards, 'exp1.shard-2-of-3.json'))).toBe(true);
    for (const i of [0, 2]) {
      const out = readFileSync(join(shards, `slurm-${job.id}_${i}.out`), 'utf8');
      expect(out.split('\n')[0]).toMatch(new RegExp(`^condlab: shard ${i}/3 \\(from SLURM_ARRAY_TASK_ID=${i} and SLURM_ARRAY_TASK_COUNT=3\\)`));
    }

    const logged = new Set(readFileSync(log1, 'utf8').split('\n').filter((l) => l.includes('"kind":"unit"')).map((l) => unitKey(JSON.parse(l))));
    const dealt = dealUnits(unitsOf(exp, config), (u) => exp.cellCost!(config, u.cell), 3)[1];
    const expected = dealt.filter((u) => !logged.has(unitKey(u)));
    expect(expected.length).toBeGreaterThan(0);
    const m = merge(shards, join(work, 'killed-merged'));
    expect(m.status).toBe(2);
    expect(m.stderr).toContain(`exp1: ${expected.length} of 12 units missing`);
    expect(m.stderr).toContain(`shard 1/3 (unfinished: only its log): ${expected.map((u) => `trial ${u.trial} cell '${u.cell}'`).join(', ')}`);
    expect(existsSync(join(work, 'killed-merged', 'exp1.json'))).toBe(false);

    const again = await submit('1', ['--shards', '3', '--resume'], shards);
    expect(again.states).toEqual({ 1: 'COMPLETED' });
    const id = again.id;
    expect(readFileSync(join(shards, `slurm-${id}_1.out`), 'utf8').split('\n')[0]).toMatch(/^condlab: shard 1\/3 \(from SLURM_ARRAY_TASK_ID=1 and --shards 3\)/);
    const done = merge(shards, join(work, 'killed-merged'));
    expect(done.status, done.stderr).toBe(0);
    expect(beforeTiming(readFileSync(join(work, 'killed-merged', 'exp1.json'), 'utf8'))).toBe(beforeTiming(ref));
  });
  it("docs/cluster.md's batch scripts as written: the array, then the merge as an afterok dependent job", async () => {
    // the two scripts from the docs, with only what must differ on this 2-CPU test cluster replaced — each replacement
    // must match, so a change to the docs that this test no longer covers fails here
    const md = readFileSync(join(repo, 'docs/cluster.md'), 'utf8');
    const block = (marker: string) => {
      const b = [...md.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]).find((t) => t.includes(marker));
      expect(b, `a bash block with '${marker}' in docs/cluster.md`).toBeDefined();
      return b!;
    };
    const root = join(work, 'docs');
    const swap = (text: string, pairs: [string | RegExp, string][]) =>
      pairs.reduce((t, [from, to]) => {
        expect(t).toMatch(from);
        return t.replaceAll(from, to);
      }, text);
    const common: [string | RegExp, string][] = [['npx condlab', `${process.execPath} ${cli.join(' ')}`], [/\bresults\b/g, `${root}/results`]];
    writeFileSync(join(work, 'shards.sbatch'), swap(block('# shards.sbatch'), [
      ...common, ['--array=0-31%8', '--array=0-2%2'], ['--cpus-per-task=4', '--cpus-per-task=1'], ['--shards 32', '--shards 3'],
      ['exp1 --preset paper', RUN.slice(1, -3).join(' ')],
    ]));
    writeFileSync(join(work, 'merge.sbatch'), swap(block('# merge.sbatch'), common));
    expect(md).toContain('mkdir -p results/shards');
    mkdirSync(join(root, 'results/shards'), { recursive: true });
    const sub = (args: string[]) => spawnSync('sbatch', ['--parsable', `--chdir=${repo}`, ...args], { env, encoding: 'utf8' });
    expect(md).toContain('jid=$(sbatch --parsable shards.sbatch)');
    expect(md).toContain('sbatch --dependency=afterok:"$jid" merge.sbatch');
    const shardsJob = sub([join(work, 'shards.sbatch')]);
    expect(shardsJob.status, shardsJob.stderr).toBe(0);
    const jid = shardsJob.stdout.trim();
    const mergeJob = sub([`--dependency=afterok:${jid}`, join(work, 'merge.sbatch')]);
    expect(mergeJob.status, mergeJob.stderr).toBe(0);
    expect(await ended(jid)).toEqual({ 0: 'COMPLETED', 1: 'COMPLETED', 2: 'COMPLETED' });
    expect(await ended(mergeJob.stdout.trim())).toEqual({ job: 'COMPLETED' });
    expect(beforeTiming(readFileSync(join(root, 'results', 'exp1.json'), 'utf8'))).toBe(beforeTiming(ref));
  });
});
