// Runs the Firefox policies.json test (tests/firefox/policy.test.mjs) as part of `node --test tests/browser/`.
import '../firefox/policy.test.mjs';
