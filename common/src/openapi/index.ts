export * from './api-document';
