#!/usr/bin/env node
import { buildProgram } from './program.js';

const code = await buildProgram().run(process.argv.slice(2));
// Idle keep-alive sockets (the CRM's HTTP client, an embedded fake API) must not hold the
// process open once the command is done.
process.exit(code);
