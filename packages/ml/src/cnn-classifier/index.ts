export { trainCnnClassifier, loadCnnClassifier, isCnnClassifier, CNN_CLASSIFIER_FORMAT } from './cnn-classifier';
export type { CnnClassifierManifest, CnnClassifierReport, TrainCnnClassifierInput } from './cnn-classifier';
