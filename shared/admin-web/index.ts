export * from './admin-api';
export * from './admin-http';
export * from './admin-routes';
export * from './principal';
export * from './request-input';
export * from './sign-in';
export * from './web-security';
