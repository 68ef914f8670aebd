export type { SelectionCandidate, CrossValidationContext } from './candidate';
export type { ImageFeatureSet, FeatureHeadRecipe } from './feature-head-candidate';
export { featureHeadCandidate, fitFeatureHead, predictWithTta, recipeName, stackViews } from './feature-head-candidate';
export type { CandidateResult, SearchOptions, SearchResult } from './search';
export { searchCandidates, foldAssignment } from './search';
export { chooseEnsemble, selectionAwareOof, scoreOof, averageOof } from './ensemble';
export type { EnsembleRule, Scored } from './ensemble';
export type { CnnRecipe, CnnImages } from './cnn-candidate';
export { cnnCandidate, cnnRecipeName, fitCnnMember } from './cnn-candidate';
