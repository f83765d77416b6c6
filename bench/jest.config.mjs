/**
 * `npm run bench` only: the side-by-side benchmark (bench/README.md). The root jest config keeps
 * roots at __tests__, so `npm test` never runs these files; this one reuses its ts-jest ESM setup.
 */
import rootConfig from '../jest.config.js'

export default {
  preset: rootConfig.preset,
  testEnvironment: rootConfig.testEnvironment,
  moduleNameMapper: rootConfig.moduleNameMapper,
  transform: rootConfig.transform,
  rootDir: '..',
  roots: ['<rootDir>/bench'],
  testMatch: ['**/*.bench.ts'],
  // A default-scale run takes tens of minutes; BENCH_SCALE=4 hours.
  testTimeout: 6 * 60 * 60 * 1000,
  forceExit: true,
  globalSetup: '<rootDir>/bench/global-setup.ts'
}
