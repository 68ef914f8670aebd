export { ModelExportService, type ExportFormat } from './model-export-service';
