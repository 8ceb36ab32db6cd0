// Runs the Firefox suite (tests/firefox/) as part of `node --test tests/browser/`.
import '../firefox/e2e.test.mjs';
