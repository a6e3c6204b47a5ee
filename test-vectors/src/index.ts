export { type CliIo, main, USAGE } from './cli';
export { MAX_PRINTED_FAILURES, MAX_VECTOR_FILE_BYTES } from './constants';
export { emptyReport, type FileReport, type VectorFile, type VectorFormat } from './format';
export { p256PointFromSpki } from './formats/spki';
export {
  type AcceptableRule,
  type CaseOutcome,
  type FlagRule,
  type FlagRules,
  isWycheproof,
  MalformedCaseError,
  runWycheproof,
  type WycheproofCase,
  type WycheproofFile,
  type WycheproofFormatSpec,
  type WycheproofGroup,
  type WycheproofRunner,
  wycheproofFormat,
} from './formats/wycheproof';
export { detectFormat, detectFormats, knownFormats } from './registry';
export {
  type BackendChoice,
  type BackendName,
  backends,
  displayPath,
  formatEntry,
  formatSummary,
  type PrintOptions,
  type RunEntry,
  type RunOptions,
  type RunSummary,
  readVectorFile,
  runVectors,
  selectBackends,
  verifyFile,
} from './runner';
