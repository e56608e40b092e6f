export {
  type SalesRabbitEntity,
  SalesRabbitFake,
  type SalesRabbitQuirks,
  srTime,
  startSalesRabbitKitFixture,
  TOKEN,
} from './server.js';
