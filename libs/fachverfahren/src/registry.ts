import type { AppConfig, FachverfahrenAdapterConfig } from '../../config/src/config';
import type { AdapterKind, FachverfahrenAdapter, PaymentAdapter, SubmissionAdapter } from './adapter';
import type { ContractFixture } from './contract-kit/types';
import { httpContractFixture } from './contract-kit/http-fixture';
import { createHttpAdapter } from './http-adapter';

/**
 * Adapters are chosen by configuration: FACHVERFAHREN_ADAPTERS lists them (name, kind, type,
 * baseUrl, secret, …); `type` names an entry of ADAPTER_TYPES that builds the adapter. The reference
 * type is `http`. An integrator with a Fachverfahren that speaks something else (XTA/OSCI, SOAP, a
 * message queue) writes an adapter class, adds a type here, and selects it by configuration.
 */
export interface AdapterType {
  /** Builds the adapter for one configuration entry; throws TypeError on missing settings. */
  create(cfg: FachverfahrenAdapterConfig, ctx: AdapterFactoryContext): FachverfahrenAdapter;
  /**
   * How the contract-test kit provokes a business rejection and a technical fault for this type
   * (`npm run adapter:contract -- <name>`); optional but expected of every type.
   */
  contract?(cfg: FachverfahrenAdapterConfig, ctx: AdapterFactoryContext): ContractFixture;
}

export interface AdapterFactoryContext {
  /** Replaces global fetch (tests). */
  fetch?: typeof fetch;
}

function httpConfig(cfg: FachverfahrenAdapterConfig, ctx: AdapterFactoryContext) {
  if (!cfg.baseUrl) throw new TypeError(`adapter ${cfg.name}: type http needs a baseUrl`);
  return {
    name: cfg.name,
    kind: cfg.kind,
    baseUrl: cfg.baseUrl,
    secret: cfg.secret,
    ...(cfg.timeoutMs !== undefined && { timeoutMs: cfg.timeoutMs }),
    ...(ctx.fetch && { fetch: ctx.fetch }),
  };
}

export const ADAPTER_TYPES: Record<string, AdapterType> = {
  http: {
    create: (cfg, ctx) => createHttpAdapter(httpConfig(cfg, ctx)),
    contract: (cfg, ctx) => httpContractFixture(httpConfig(cfg, ctx)),
  },
};

/** The sandbox's adapters, used when FACHVERFAHREN_ADAPTERS is unset (never in production). */
export function defaultAdapterConfigs(config: Pick<AppConfig, 'SANDBOX_PORT' | 'FACHVERFAHREN_SANDBOX_SECRET'>): FachverfahrenAdapterConfig[] {
  const base = `http://127.0.0.1:${config.SANDBOX_PORT}/fv`;
  const entry = (name: string, kind: AdapterKind): FachverfahrenAdapterConfig => ({ name, kind, type: 'http', baseUrl: `${base}/${name}`, secret: config.FACHVERFAHREN_SANDBOX_SECRET });
  return [
    // Wohngeld Fachverfahren: payment instructions (Zahlungsanordnungen)
    entry('wohngeld', 'submission'),
    // Gewerberegister: registrations of Gewerbeanzeigen
    entry('gewerberegister', 'submission'),
    // Deliveries to the § 14 GewO recipients (IHK, HWK, Finanzamt, …), one submission per recipient
    entry('gewo14', 'submission'),
    // Bewohnerparkausweise: the permit register of the Straßenverkehrsbehörde (Bezirksamt)
    entry('parkausweis', 'submission'),
    // ePayment provider for fees
    entry('epayment', 'payment'),
  ];
}

export function adapterConfigsOf(config: Pick<AppConfig, 'FACHVERFAHREN_ADAPTERS' | 'SANDBOX_PORT' | 'FACHVERFAHREN_SANDBOX_SECRET'>): FachverfahrenAdapterConfig[] {
  return config.FACHVERFAHREN_ADAPTERS ?? defaultAdapterConfigs(config);
}

export class UnknownAdapterError extends Error {
  override readonly name = 'UnknownAdapterError';
  constructor(readonly adapter: string) {
    super(`No Fachverfahren adapter named "${adapter}" is configured`);
  }
}

export class AdapterKindError extends Error {
  override readonly name = 'AdapterKindError';
  constructor(
    readonly adapter: string,
    readonly expected: AdapterKind,
    readonly actual: AdapterKind,
  ) {
    super(`Adapter "${adapter}" is a ${actual} adapter, not a ${expected} adapter`);
  }
}

export interface AdapterListEntry {
  name: string;
  kind: AdapterKind;
  healthy: boolean;
  lastError?: string;
}

interface Entry {
  adapter: FachverfahrenAdapter;
  secrets: string[];
  config?: FachverfahrenAdapterConfig;
}

export class AdapterRegistry {
  private readonly entries = new Map<string, Entry>();

  /** Adds an adapter; `secrets` verify its inbound callbacks (current first). */
  register(adapter: FachverfahrenAdapter, secrets: readonly string[], config?: FachverfahrenAdapterConfig): this {
    if (this.entries.has(adapter.name)) throw new TypeError(`adapter "${adapter.name}" is registered twice`);
    this.entries.set(adapter.name, { adapter, secrets: secrets.filter(Boolean), ...(config && { config }) });
    return this;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  get(name: string): FachverfahrenAdapter {
    const e = this.entries.get(name);
    if (!e) throw new UnknownAdapterError(name);
    return e.adapter;
  }

  submission(name: string): SubmissionAdapter {
    const a = this.get(name);
    if (a.kind !== 'submission') throw new AdapterKindError(name, 'submission', a.kind);
    return a;
  }

  payment(name: string): PaymentAdapter {
    const a = this.get(name);
    if (a.kind !== 'payment') throw new AdapterKindError(name, 'payment', a.kind);
    return a;
  }

  /** Secrets accepted on the adapter's callbacks, or undefined for an unknown adapter. */
  secretsOf(name: string): readonly string[] | undefined {
    return this.entries.get(name)?.secrets;
  }

  configOf(name: string): FachverfahrenAdapterConfig | undefined {
    return this.entries.get(name)?.config;
  }

  /** For GET /api/v1/integrations/adapters: every adapter probed in parallel, each within timeoutMs. */
  async list(timeoutMs = 3_000): Promise<AdapterListEntry[]> {
    return Promise.all(
      [...this.entries.values()].map(async ({ adapter }) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<{ healthy: false; lastError: string }>((resolve) => {
          timer = setTimeout(() => resolve({ healthy: false, lastError: `health check timed out after ${timeoutMs} ms` }), timeoutMs);
        });
        try {
          const h = await Promise.race([adapter.health().catch((e: unknown) => ({ healthy: false, lastError: e instanceof Error ? e.message : String(e) })), timeout]);
          return { name: adapter.name, kind: adapter.kind, healthy: h.healthy, ...(h.lastError && { lastError: h.lastError }) };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }
}

export interface CreateRegistryOptions extends AdapterFactoryContext {
  /** Adds or replaces adapter types (tests, integrators' own types). */
  types?: Record<string, AdapterType>;
}

/** Builds every configured adapter; an unknown type or a missing setting throws at boot, not at the first call. */
export function createAdapterRegistry(
  config: Pick<AppConfig, 'FACHVERFAHREN_ADAPTERS' | 'SANDBOX_PORT' | 'FACHVERFAHREN_SANDBOX_SECRET'>,
  opts: CreateRegistryOptions = {},
): AdapterRegistry {
  const types = { ...ADAPTER_TYPES, ...opts.types };
  const registry = new AdapterRegistry();
  for (const cfg of adapterConfigsOf(config)) {
    const type = types[cfg.type];
    if (!type) throw new TypeError(`adapter ${cfg.name}: unknown type "${cfg.type}" (known: ${Object.keys(types).join(', ')})`);
    const adapter = type.create(cfg, opts);
    if (adapter.name !== cfg.name || adapter.kind !== cfg.kind) throw new TypeError(`adapter ${cfg.name}: type "${cfg.type}" built ${adapter.kind} adapter "${adapter.name}"`);
    registry.register(adapter, [cfg.secret, ...(cfg.previousSecret ? [cfg.previousSecret] : [])], cfg);
  }
  return registry;
}

/** The contract fixture for a configured adapter (used by scripts/adapter-contract.ts). */
export function contractFixtureFor(cfg: FachverfahrenAdapterConfig, opts: CreateRegistryOptions = {}): ContractFixture {
  const type = { ...ADAPTER_TYPES, ...opts.types }[cfg.type];
  if (!type) throw new TypeError(`adapter ${cfg.name}: unknown type "${cfg.type}"`);
  if (!type.contract) throw new TypeError(`adapter type "${cfg.type}" has no contract fixture: add contract() to its AdapterType`);
  return type.contract(cfg, opts);
}
