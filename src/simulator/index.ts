/** The crawl simulator: synthetic GitLab crawlers for demos, tests and benchmarks. */
export { runSimulateCommand, runSimulation, CHILD_ENV, type SimulateIo } from './run';
export { HELP, FramingModeSchema, SimulatorOptionsSchema, SpellingModeSchema, UsageError, parseSimulateArgs, parseSeed, type FramingMode, type ParsedCommand, type SimulatorOptions, type SpellingMode } from './options';
export { SimulatedCrawler, crawlerIdFor, framingFor, spellingFor } from './simulated-crawler';
export { runJob, pause, PAGE_LATENCY_MS, type AbortReason, type JobEnv, type JobOutcome, type SimJob } from './job-runner';
export { generateHierarchy, discoveredJobs, entitySizes, jobTypeFor, ITEMS_PER_PAGE, type Hierarchy, type Namespace } from './gitlab-model';
export { Rng, mulberry32, hashString, deriveSeed } from './prng';
export {
  CrawlerSummarySchema,
  SimulationSummarySchema,
  combineSummaries,
  formatSummary,
  type CrawlerSummary,
  type JobCounts,
  type SimulationSummary,
} from './summary';
