export { dashboardPlugin, type DashboardOptions } from './dashboard-plugin';
export { loadStaticFiles, type StaticFile } from './static-files';
