export {
  API_KEY,
  type LeadConduitEntity,
  type LeadConduitEvent,
  LeadConduitFake,
  type LeadConduitQuirks,
  startLeadConduitKitFixture,
} from './server.js';
