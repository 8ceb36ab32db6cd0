// Prelude for a Mastodon instance the user granted (registered at run time by the background):
// runs before content.js in the same isolated world and names the adapter to use there.
globalThis.postcheckSite = 'mastodon';
