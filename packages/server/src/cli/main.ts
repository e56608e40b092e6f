#!/usr/bin/env node
import { limitHeapGrowth } from '@crmsync/core/heap';
import { buildProgram } from './program.js';

// Every command may run a long sync (start and worker run them all day): keep the heap near
// what is live rather than letting V8 grow it fourfold between collections.
limitHeapGrowth();

const code = await buildProgram().run(process.argv.slice(2));
// Idle keep-alive sockets (the CRM's HTTP client, an embedded fake API) must not hold the
// process open once the command is done.
process.exit(code);
