export {
  type DatasetOptions,
  FAKER_ENTITIES,
  FakerDataset,
  type FakerEntity,
  type FakerRecord,
} from './dataset.js';
export {
  type FakerFault,
  type FakerServer,
  type FakerServerOptions,
  startFakerServer,
} from './server.js';
