export { checkField } from './field-checks.js';
export { validateRecord, validationWarning } from './validate.js';
