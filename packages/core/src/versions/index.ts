export { VersionService } from './version-service';
