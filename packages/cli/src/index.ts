export { type CliIo, main, type ParsedArgs, parseArgs, USAGE } from './cli';
export { InMemoryDirectory, type OnionNodeEntry } from './demo/directory';
export { DemoCheckError, type StepSummary } from './demo/harness';
export { conversationId, Messenger, type MessengerInit } from './demo/messenger';
export {
  DEFAULT_SEED,
  DEMO_EPOCH_MS,
  type DemoOptions,
  type DemoSummary,
  MESSAGES,
  runDemo,
} from './demo/run';
