export * from './common';
export * from './crawler-messages';
export * from './decode-crawler';
export * from './encode-crawler';
export * from './console-messages';
export * from './framing';
export * from './discovery-splitter';
export * from './depth';
