export { type A1Range, columnLetters, columnNumber, parseA1, quoteSheet } from '../a1.js';
export {
  MARKETING_LEADS_HEADER,
  MARKETING_SPENDS_HEADER,
  marketingLeadRows,
  marketingSpendRows,
} from './data.js';
export {
  type Cell,
  type FakeSpreadsheet,
  type ServiceAccountKey,
  type SheetsFakeOptions,
  SheetsFakeServer,
  type SheetsFault,
} from './server.js';
export { KIT_SPREADSHEET, KIT_TAB, startGsheetKitFixture } from './kit-fixture.js';
