// A real headless Chromium for page tests (Debian's `chromium`, driven by playwright-core), started with the flags
// this machine needs (no sandbox as root, no GPU, no network of its own beyond the page's), a fresh profile each
// time. Screenshots go to test/artifacts/ (git-ignored) for a person to look at.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { IN_CI } from './services.js';

export const CHROMIUM = process.env.MESOSWARM_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when Chromium is installed; otherwise skips (fails under CI=true, where .ci/run installs it). */
export function needChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true;
  const reason = `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  if (IN_CI) throw new Error(`CI=true and ${reason}`);
  t.skip(reason);
  return false;
}

export interface Browser {
  /** A new browser context (its own cookies and certificates). */
  context(options?: Parameters<typeof chromium.launchPersistentContext>[1]): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Starts Chromium headless on a fresh, empty profile directory per context. */
export async function startBrowser(): Promise<Browser> {
  const profiles: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    async context(options = {}) {
      const profile = await mkdtemp(join(tmpdir(), 'mesoswarm-chromium-'));
      profiles.push(profile);
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: FLAGS,
        ...options,
      });
      contexts.push(context);
      return context;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      for (const profile of profiles) await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Where a screenshot named `name` goes (the folder is made on first use). */
export async function artifact(name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
