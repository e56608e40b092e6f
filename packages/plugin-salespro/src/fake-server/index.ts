export { athenaConfig, startSalesProKitFixture } from './kit-fixture.js';
export { leadResultsBlob, vaultRow } from './rows.js';
export { AthenaFake, type AthenaFakeOptions, type Cell, parseId, vaultTime } from './server.js';
