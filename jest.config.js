// One jest run for unit and integration tests. Integration tests share one Temporal dev server,
// one embedded PostgreSQL (a fresh database per test file) and one SMTP sink, started in
// test/global-setup.ts on free ports so a running `npm start` is never disturbed.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/{apps,libs,workflows,activities,scripts,test}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { swcrc: true }],
    // jose 6 is ESM-only. Node >= 20.19 require()s it natively at runtime, but jest's module system
    // cannot before Node 24.9, so jest compiles it to CommonJS.
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { swcrc: false, module: { type: 'commonjs' }, jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 120000,
  slowTestThreshold: 30,
};
