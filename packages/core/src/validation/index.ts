export { checkField, fieldChecker } from './field-checks.js';
export { validateRecord, validationWarning } from './validate.js';
