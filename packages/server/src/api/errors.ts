export { NotFoundError, RunAlreadyActiveError } from '../errors.js';
