export { InsightsService } from './insights-service';
