// Launchers for the local stack (npm start) and the shared test servers (test/global-setup.ts).
// Development and test tooling only: the production processes never import this library.
export * from './ports';
export * from './process';
export * from './temporal-dev-server';
export * from './embedded-db';
export * from './mail-sink';
export * from './console-output';
