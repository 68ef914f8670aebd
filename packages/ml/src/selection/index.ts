export type { SelectionCandidate, CrossValidationContext } from './candidate';
export { BudgetExceeded } from './candidate';
export type { ImageFeatureSet, FeatureHeadRecipe } from './feature-head-candidate';
export { featureHeadCandidate, fitFeatureHead, predictWithTta, recipeName, stackViews } from './feature-head-candidate';
export type { CandidateResult, SearchOptions, SearchResult } from './search';
export { searchCandidates, scoreOof, averageOof } from './search';
export type { CnnRecipe, CnnImages } from './cnn-candidate';
export { cnnCandidate, cnnRecipeName, fitCnnMember } from './cnn-candidate';
