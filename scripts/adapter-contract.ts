/**
 * `npm run adapter:contract -- <adapter-name> [--json]`: runs the Fachverfahren adapter contract
 * (libs/fachverfahren/src/contract-kit) against a configured adapter and its remote, prints a
 * pass/fail report, exits 0 when every check passed, 1 when one failed, 2 on a usage error.
 *
 * The adapter comes from the configuration (FACHVERFAHREN_ADAPTERS, or the sandbox defaults). When
 * it is an `http` adapter pointing at this machine and nothing answers there, the sandbox simulator
 * is started in-process on that port for the run — so the reference setup needs no other process.
 */
import type { FachverfahrenAdapterConfig } from '../libs/config/src/config';
import { ConfigError, loadConfig } from '../libs/config/src/config';
import { isPortFree } from '../libs/devstack/src/ports';
import { formatReport } from '../libs/fachverfahren/src/contract-kit/report';
import { runContractSuite } from '../libs/fachverfahren/src/contract-kit/suite';
import { adapterConfigsOf, contractFixtureFor } from '../libs/fachverfahren/src/registry';
import { parseDelay } from '../apps/sandbox/src/options';
import { startSandbox } from '../apps/sandbox/src/sandbox';
import type { RunningSandbox } from '../apps/sandbox/src/sandbox';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function usage(names: string[]): never {
  process.stderr.write(`usage: npm run adapter:contract -- <adapter> [--json]\nconfigured adapters: ${names.join(', ') || '(none)'}\n`);
  process.exit(2);
}

/** Starts the sandbox on the adapter's local port when nothing listens there. */
async function sandboxIfNeeded(cfg: FachverfahrenAdapterConfig, delay: [number, number], say: (m: string) => void): Promise<RunningSandbox | undefined> {
  if (cfg.type !== 'http' || !cfg.baseUrl) return undefined;
  const url = new URL(cfg.baseUrl);
  if (!LOCAL_HOSTS.has(url.hostname)) return undefined;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, '');
  if (!(await isPortFree(port, host))) return undefined; // something runs there: test against it
  say(`nothing listens on ${url.host}: starting the sandbox Fachverfahren simulator there for this run`);
  return startSandbox({ port, host, secrets: { [cfg.name]: cfg.secret }, delayMs: delay });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const positional = args.filter((a) => !a.startsWith('--'));
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`adapter:contract: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const configs = adapterConfigsOf(config);
  const name = positional[0];
  if (!name || positional.length > 1) usage(configs.map((c) => c.name));
  const cfg = configs.find((c) => c.name === name);
  if (!cfg) {
    process.stderr.write(`adapter:contract: no adapter named "${name}" is configured\n`);
    usage(configs.map((c) => c.name));
  }

  const say = (m: string) => process.stderr.write(`[adapter:contract] ${m}\n`);
  const sandbox = await sandboxIfNeeded(cfg, parseDelay(config.SANDBOX_DELAY_MS), say);
  try {
    const fixture = contractFixtureFor(cfg);
    say(`checking ${cfg.kind} adapter "${cfg.name}" (type ${cfg.type}${cfg.baseUrl ? `, ${cfg.baseUrl}` : ''})`);
    const report = await runContractSuite(fixture, { onResult: (r) => say(`${r.status.toUpperCase()} ${r.name}`) });
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `\n${formatReport(report)}\n`);
    process.exitCode = report.passed ? 0 : 1;
  } finally {
    await sandbox?.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`adapter:contract: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(2);
});
