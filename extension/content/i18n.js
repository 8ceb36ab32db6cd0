// Kept for existing imports: the strings now come from extension/shared/i18n.js, which honours
// the language chosen in the options page (settings.language) as well as the browser's.
export { t } from '../shared/i18n.js';
