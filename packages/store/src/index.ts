export * from './pool';
export * from './migrate';
export * from './records';
export * from './runs';
export * from './exchanges';
export * from './differences';
export * from './exchange-detail';
export * from './dead-letters';
