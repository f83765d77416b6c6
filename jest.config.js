/** Jest runs the TypeScript sources as ESM through ts-jest (see ../shared/notes: jest 30 + ts-jest 29 + TS 5.9). */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }] },
  testTimeout: 300000,
  // Two test files at a time on the 2-core CI machine: most of a file's time is spent waiting on sshd,
  // MariaDB, the artifact emulators and retry back-off. Files that run side by side never share a login
  // user (sshd.ts workerScopedUser), and a test picks processes to kill or wait for only among its own
  // (seatable-bed.ts ownProcessList).
  maxWorkers: 2,
  // The artifact fault cases run side by side on their own emulators (faults/artifact-service.test.ts, eight emulators); jest's default runs only 5 at once.
  maxConcurrency: 8,
  // A test that fails half-way through starting a server can leave a child process behind; the run
  // must then end red instead of hanging until CI's time limit. Every test still stops what it starts.
  forceExit: true,
  globalSetup: '<rootDir>/__tests__/support/global-setup.ts',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.ts'
}
