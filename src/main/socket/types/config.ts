// The configuration schema is pure zod and shared with the UI (the settings
// screen validates with it), so it lives in src/shared; the seed's path stays.
export * from '../../../shared/config';
