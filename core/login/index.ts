export * from './authorize';
export * from './callback';
export * from './encoding';
export * from './idToken';
export * from './keys';
export * from './pkce';
export * from './state';
