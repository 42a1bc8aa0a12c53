#!/usr/bin/env node
// Committed, executable shim so npm can link the `tlbsim` bin at install time,
// before `dist/` is built (npm skips bins whose target does not exist yet).
require('../dist/main.js');
