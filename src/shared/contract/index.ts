export * from './commands';
export * from './events';
export * from './errors';
export { fieldLabel, issueText } from './issue-text';
