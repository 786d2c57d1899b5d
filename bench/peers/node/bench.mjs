// BullMQ no-op throughput, the peer in scripts/bench-queue: enqueue JOBS with addBulk (1,000 a
// call), then WORKERS forked worker processes x CONC concurrency drain them; prints one JSON line.
// Adapted from the project notes' reliability-performance.md, appendix A (node/bench.mjs).
//
// Env: REDIS_PORT (6390), REDIS_HOST (127.0.0.1), JOBS (100000), WORKERS (2), CONC (100),
// QNAME (bench), REMOVE=1 (removeOnComplete), TIMEOUT_S (600: give up on a drain that stalls).
// The queue is obliterated before and after the run.
import { Queue, Worker } from 'bullmq';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const connection = { host: process.env.REDIS_HOST || '127.0.0.1', port: +(process.env.REDIS_PORT || 6390) };
const JOBS = +(process.env.JOBS || 100000);
const W = +(process.env.WORKERS || 2);
const C = +(process.env.CONC || 100);
const REMOVE = process.env.REMOVE === '1';
const TIMEOUT_S = +(process.env.TIMEOUT_S || 600);
const qname = process.env.QNAME || 'bench';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A worker process: a no-op processor; reports its count in steps of 500 and when stopped.
async function child() {
  let n = 0;
  const w = new Worker(qname, async () => { if (++n % 500 === 0) process.send({ n: 500 }); },
    { connection, concurrency: C, autorun: false });
  await w.waitUntilReady();
  process.send({ ready: true });
  process.on('disconnect', () => process.exit(1)); // the parent died: do not linger
  process.on('message', async (m) => {
    if (m === 'go') w.run();
    if (m === 'stop') { await w.close(); process.send({ n: n % 500 }, () => process.exit(0)); }
  });
}

// Enqueues JOBS no-op jobs in addBulk calls of 1,000; returns the seconds it took.
async function enqueue(q) {
  const opts = REMOVE ? { removeOnComplete: true, removeOnFail: 1000 } : {};
  const t0 = Date.now();
  for (let i = 0; i < JOBS; i += 1000) {
    const bulk = [];
    for (let j = i; j < Math.min(JOBS, i + 1000); j++) bulk.push({ name: 'noop', data: { i: j }, opts });
    await q.addBulk(bulk);
  }
  return (Date.now() - t0) / 1000;
}

// Forks W worker processes and resolves once every one is connected and waiting for 'go'.
async function forkWorkers() {
  const kids = [];
  await new Promise((res, rej) => {
    let ready = 0;
    for (let k = 0; k < W; k++) {
      const c = fork(fileURLToPath(import.meta.url), ['child']);
      c.on('message', (m) => { if (m.ready && ++ready === W) res(); });
      c.on('exit', (code) => { if (code !== 0 && ready < W) rej(new Error(`worker exited with ${code}`)); });
      kids.push(c);
    }
  });
  return kids;
}

// Starts the workers and waits until nothing is waiting or active; returns the seconds it took.
async function drain(q, kids) {
  const t0 = Date.now();
  kids.forEach((c) => c.send('go'));
  for (;;) {
    const c = await q.getJobCounts('wait', 'active', 'prioritized');
    if (c.wait + c.active + c.prioritized === 0) break;
    if (Date.now() - t0 > TIMEOUT_S * 1000) throw new Error(`drain still running after ${TIMEOUT_S} s: ${JSON.stringify(c)}`);
    await sleep(20);
  }
  return (Date.now() - t0) / 1000;
}

async function stopWorkers(kids) {
  await Promise.all(kids.map((c) => new Promise((r) => { c.on('exit', r); c.send('stop'); })));
}

async function main() {
  const q = new Queue(qname, { connection });
  await q.obliterate({ force: true }).catch(() => {});
  const enqueue_s = await enqueue(q);
  const kids = await forkWorkers();
  const process_s = await drain(q, kids);
  await stopWorkers(kids);
  const counts = await q.getJobCounts('completed', 'failed');
  const version = (await import('bullmq/package.json', { with: { type: 'json' } })).default.version;
  console.log(JSON.stringify({
    bullmq: version, jobs: JOBS, workers: W, conc: C, removeOnComplete: REMOVE,
    enqueue_s, enqueue_jobs_per_s: Math.round(JOBS / enqueue_s),
    process_s, process_jobs_per_s: Math.round(JOBS / process_s),
    completed: counts.completed, failed: counts.failed,
  }));
  await q.obliterate({ force: true }).catch(() => {});
  await q.close();
  process.exit(0);
}

if (process.argv[2] === 'child') await child();
else await main().catch((e) => { console.error(e); process.exit(1); });
