export { five9Config, phone, seedContacts, startFive9KitFixture } from './kit-fixture.js';
export {
  type FakeContact,
  type FakeFieldDef,
  Five9Fake,
  type Five9FakeOptions,
  fakeContact,
  SERVICE_PATH,
  soapFault,
} from './server.js';
