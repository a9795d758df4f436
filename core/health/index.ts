export { HealthRegistry, DependencyHealth, DependencyStatus, overallStatus } from './health-registry';
