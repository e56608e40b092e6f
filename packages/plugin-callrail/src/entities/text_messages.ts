import { callrailEntity } from './list.js';

// The path is hyphenated and the list key is `conversations`: the legacy client called
// `text_messages.json` and never received a record.
export const textMessages = callrailEntity({
  name: 'text_messages',
  displayName: 'Text message conversations',
  description: 'SMS conversations, re-read over a trailing window of their last message time',
  list: { path: 'text-messages', key: 'conversations', dateField: 'last_message_at' },
  dependsOn: ['companies'],
  fields: {
    id: { type: 'string', required: true },
    company_id: { type: 'string' },
    customer_phone_number: { type: 'phone' },
    customer_name: { type: 'string' },
    current_tracking_number: { type: 'phone' },
    last_message_at: { type: 'datetime' },
    state: { type: 'string' },
    recent_messages: { type: 'json' },
  },
});
