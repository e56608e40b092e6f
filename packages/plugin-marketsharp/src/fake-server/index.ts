export { fakeConfig, startMarketSharpKitFixture } from './kit-fixture.js';
export {
  type FakeRow,
  fakeGuid,
  fakeRow,
  MarketSharpFake,
  type MarketSharpFakeOptions,
  type VirtualSet,
} from './server.js';
