export {
  ArrivyFake,
  type ArrivyEntity,
  type ArrivyList,
  type ArrivyQuirks,
  arrivyIso,
  AUTH_KEY,
  AUTH_TOKEN,
  startArrivyKitFixture,
} from './server.js';
