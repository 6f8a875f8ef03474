/** The AdapterRegistry of the API process (built from FACHVERFAHREN_ADAPTERS). */
export const ADAPTER_REGISTRY = Symbol('ADAPTER_REGISTRY');
