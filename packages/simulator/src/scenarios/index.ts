import type { Scenario } from '../scenario';
import { adversaryScenario } from './adversary';
import { churnScenario } from './churn';
import { echoScenario } from './echo';
import { natScenario } from './nat';
import { partitionScenario } from './partition';
import { streamEchoScenario } from './stream';

/** The scenarios shipped with the simulator, by name. */
export const builtinScenarios: readonly Scenario[] = [
  echoScenario,
  streamEchoScenario,
  natScenario,
  partitionScenario,
  churnScenario,
  adversaryScenario,
];

export {
  adversaryScenario,
  churnScenario,
  echoScenario,
  natScenario,
  partitionScenario,
  streamEchoScenario,
};
