export { CompiledTopicShape, TopicDecodeResult, TopicProblem, compileTopicShape } from './compile-topic';
export { loadTopicShapeText, loadTopicShapes } from './topic-loader';
export { TopicShapeDefinition, EnvelopeSpec } from './topic-definition';
