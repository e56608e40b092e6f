export { FAKER_ENTITIES, type FakerEntity, type FakerRecord } from '../types.js';
export { type DatasetOptions, FakerDataset } from './dataset.js';
export {
  type FakerFault,
  type FakerServer,
  type FakerServerOptions,
  startFakerServer,
} from './server.js';
