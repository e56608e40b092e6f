/** The EDM types MarketSharp's entity sets use. */
export type EdmType =
  | 'Edm.Guid'
  | 'Edm.String'
  | 'Edm.Int32'
  | 'Edm.Boolean'
  | 'Edm.DateTime'
  | 'Edm.Decimal'
  | 'Edm.Double';

/** One OData entity set: its properties with EDM types, key and change stamp. */
export interface EntitySetSpec {
  /** `sync_type`. */
  name: string;
  displayName: string;
  /** The OData entity set (`Activities`). */
  set: string;
  key: string;
  /**
   * The property a delta filters and orders on (`lastUpdate`, naive server time;
   * `lastUpdateUtc`, naive UTC). None: the set is re-read whole every run.
   */
  stamp?: 'lastUpdate' | 'lastUpdateUtc';
  /** A property every record has: strict validation fails a record without it. */
  required: string;
  properties: Record<string, EdmType>;
}

const G = 'Edm.Guid';
const S = 'Edm.String';
const I = 'Edm.Int32';
const B = 'Edm.Boolean';
const D = 'Edm.DateTime';

/** Contacts, customers, leads and prospects are the same Contact shape, filtered by type. */
const person: Record<string, EdmType> = {
  id: G,
  companyId: I,
  firstName: S,
  lastName: S,
  middleInitial: S,
  title: S,
  businessName: S,
  contactPhoneId: G,
  primaryAddressId: G,
  email1: S,
  email1CanMail: B,
  email2: S,
  email3: S,
  website1: S,
  doNotMail: B,
  hasDncPhone: B,
  hasDneEmail: B,
  yearHomeBuilt: S,
  maritalStatus: S,
  styleOfHome: S,
  mailMergeName: S,
  source: S,
  qbId: S,
  isActive: B,
  creationDate: D,
  createdDate: D,
  lastUpdate: D,
};

/**
 * The entity sets the seeds' warehouse read (23 tables), with the properties it kept, in
 * MarketSharp's own camelCase names.
 */
export const ENTITY_SETS: EntitySetSpec[] = [
  {
    name: 'contacts',
    displayName: 'Contacts',
    set: 'Contacts',
    key: 'id',
    stamp: 'lastUpdate',
    required: 'lastName',
    properties: person,
  },
  {
    name: 'customers',
    displayName: 'Customers',
    set: 'Customers',
    key: 'id',
    stamp: 'lastUpdate',
    required: 'lastName',
    properties: person,
  },
  {
    name: 'prospects',
    displayName: 'Prospects',
    set: 'Prospects',
    key: 'id',
    stamp: 'lastUpdate',
    required: 'lastName',
    properties: person,
  },
  {
    name: 'leads',
    displayName: 'Leads',
    set: 'Leads',
    key: 'id',
    stamp: 'lastUpdate',
    required: 'lastName',
    properties: person,
  },
  {
    name: 'inquiries',
    displayName: 'Inquiries',
    set: 'Inquiries',
    key: 'id',
    stamp: 'lastUpdate',
    required: 'contactId',
    properties: {
      id: G,
      contactId: G,
      description: S,
      inquirySourcePrimaryId: G,
      inquirySourceSecondaryId: G,
      inquiryStatusId: I,
      inquiryDate: D,
      setDate: D,
      note: S,
      jobSiteCity: S,
      jobSiteState: S,
      jobSiteZip: S,
      division: S,
      isActive: B,
      createdDate: D,
      lastUpdate: D,
    },
  },
  {
    name: 'inquiry_statuses',
    displayName: 'Inquiry statuses',
    set: 'InquiryStatuses',
    key: 'id',
    stamp: 'lastUpdateUtc',
    required: 'name',
    properties: { id: I, companyId: I, name: S, isActive: B, createdDateUtc: D, lastUpdateUtc: D },
  },
  {
    name: 'inquiry_source_primaries',
    displayName: 'Inquiry sources (primary)',
    set: 'InquirySourcePrimaries',
    key: 'id',
    required: 'name',
    properties: { id: G, name: S, isActive: B, companyId: I },
  },
  {
    name: 'inquiry_source_secondaries',
    displayName: 'Inquiry sources (secondary)',
    set: 'InquirySourceSecondaries',
    key: 'id',
    required: 'name',
    properties: { id: G, inquirySourcePrimaryId: G, name: S, isActive: B, companyId: I },
  },
  {
    name: 'appointments',
    displayName: 'Appointments',
    set: 'Appointments',
    key: 'id',
    stamp: 'lastUpdate',
    required: 'inquiryId',
    properties: {
      id: G,
      inquiryId: G,
      salesperson1Id: G,
      setById: G,
      resultId: G,
      appointmentDate: D,
      setDate: D,
      subject: S,
      type: S,
      note: S,
      isActive: B,
      createdDate: D,
      lastUpdate: D,
    },
  },
  {
    name: 'appointment_results',
    displayName: 'Appointment results',
    set: 'AppointmentResults',
    key: 'id',
    required: 'name',
    properties: { id: G, name: S, presentation: B, sold: B, isActive: B },
  },
  {
    name: 'activities',
    displayName: 'Activities',
    set: 'Activities',
    key: 'id',
    stamp: 'lastUpdate',
    required: 'contactId',
    properties: {
      id: G,
      contactId: G,
      name: S,
      type: S,
      completedDate: D,
      dueDate: D,
      reminderMinutes: I,
      notes: S,
      appointmentId: G,
      assignToEmployeeId: G,
      inquiryId: G,
      activityResultId: I,
      activityReferenceId: I,
      isActive: B,
      createdBy: S,
      createdDate: D,
      lastUpdate: D,
    },
  },
  {
    name: 'activity_results',
    displayName: 'Activity results',
    set: 'ActivityResults',
    key: 'id',
    stamp: 'lastUpdate',
    required: 'name',
    properties: {
      id: I,
      companyId: I,
      name: S,
      confirmed: B,
      countAsContacted: B,
      isActive: B,
      createdDate: D,
      lastUpdate: D,
    },
  },
  {
    name: 'activity_references',
    displayName: 'Activity references',
    set: 'ActivityReferences',
    key: 'id',
    stamp: 'lastUpdateUtc',
    required: 'name',
    properties: {
      id: I,
      companyId: I,
      name: S,
      inquiryRequired: B,
      appointmentRequired: B,
      isActive: B,
      createdDateUtc: D,
      lastUpdateUtc: D,
    },
  },
  {
    name: 'addresses',
    displayName: 'Addresses',
    set: 'Addresses',
    key: 'id',
    required: 'contactId',
    properties: {
      id: G,
      contactId: G,
      line1: S,
      line2: S,
      city: S,
      state: S,
      zip: S,
      country: S,
      latitude: 'Edm.Double',
      longitude: 'Edm.Double',
      isActive: B,
    },
  },
  {
    name: 'companies',
    displayName: 'Companies',
    set: 'Companies',
    key: 'id',
    required: 'name',
    properties: {
      id: I,
      number: I,
      name: S,
      owner: S,
      addressCity: S,
      addressState: S,
      email: S,
      phone: S,
      timeZone: S,
    },
  },
  {
    name: 'contact_phones',
    displayName: 'Contact phones',
    set: 'ContactPhones',
    key: 'contactId',
    required: 'homePhone',
    properties: {
      contactId: G,
      homePhone: S,
      workPhone: S,
      cellPhone: S,
      otherPhone: S,
      homeFax: S,
    },
  },
  {
    name: 'contact_types',
    displayName: 'Contact types',
    set: 'ContactTypes',
    key: 'id',
    required: 'contactType',
    properties: { id: G, contactId: G, contactType: S, isActive: B },
  },
  {
    name: 'custom_fields',
    displayName: 'Custom fields',
    set: 'CustomFields',
    key: 'id',
    required: 'name',
    properties: { id: G, name: S, value: S, contactId: G },
  },
  {
    name: 'employees',
    displayName: 'Employees',
    set: 'Employees',
    key: 'id',
    stamp: 'lastUpdate',
    required: 'name',
    properties: { id: G, name: S, companyId: I, isActive: B, lastUpdate: D },
  },
  {
    name: 'jobs',
    displayName: 'Jobs',
    set: 'Jobs',
    key: 'id',
    stamp: 'lastUpdate',
    required: 'name',
    properties: {
      id: G,
      contactId: G,
      inquiryId: G,
      number: S,
      name: S,
      type: S,
      status: S,
      city: S,
      state: S,
      zip: S,
      startDate: D,
      saleDate: D,
      completedDate: D,
      isActive: B,
      createdDate: D,
      lastUpdate: D,
    },
  },
  {
    name: 'product_details',
    displayName: 'Product details',
    set: 'ProductDetails',
    key: 'id',
    required: 'name',
    properties: { id: G, productTypeId: G, name: S, isActive: B, companyId: I },
  },
  {
    name: 'product_interests',
    displayName: 'Product interests',
    set: 'ProductInterests',
    key: 'id',
    stamp: 'lastUpdate',
    required: 'inquiryId',
    properties: {
      id: G,
      inquiryId: G,
      productTypeId: G,
      productDetailId: G,
      priceQuoted: 'Edm.Decimal',
      isActive: B,
      lastUpdate: D,
    },
  },
  {
    name: 'product_types',
    displayName: 'Product types',
    set: 'ProductTypes',
    key: 'id',
    required: 'name',
    properties: { id: G, name: S, isActive: B, companyId: I },
  },
];

export function entitySet(name: string): EntitySetSpec {
  const spec = ENTITY_SETS.find((s) => s.name === name || s.set === name);
  if (!spec) throw new Error(`marketsharp: no entity set ${name}`);
  return spec;
}
