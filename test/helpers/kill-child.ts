// Runs a writer process (test/store/*-child.ts) that prints `ack <key> <value>` once each write is durable, and
// SIGKILLs it a given time after it printed a given line (`compacting`, `switched`): what a crash at that moment
// leaves is then the test's to check against the acknowledged values (per key, the highest).
import { spawn } from 'node:child_process';
import { within } from './deadline.js';

/** When the kill comes: `ms` after the child printed the line `after`. */
export interface KillAt {
  readonly after: string;
  readonly ms: number;
}

export function runAndKill(child: string, args: readonly string[], at: KillAt): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked = new Map<string, number>();
    let pending = '';
    let killing = false;
    const deadline = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the child never printed "${at.after}"`));
    }, within(60_000));
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line === at.after && !killing) {
          killing = true;
          setTimeout(() => proc.kill('SIGKILL'), at.ms);
        } else if (line.startsWith('ack ')) {
          const [, k, v] = line.split(' ');
          acked.set(k!, Math.max(acked.get(k!) ?? 0, Number(v)));
        }
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL') reject(new Error(`the child exited by itself (${signal ?? code})`));
      else resolve(acked);
    });
  });
}
