export { CompiledTopicShape, TopicDecodeResult, TopicProblem, compileTopicShape } from './compile-topic';
export { loadTopicShapeText, loadTopicShapes, shapesOfTopic } from './topic-loader';
export { TopicShapeDefinition, EnvelopeSpec } from './topic-definition';
