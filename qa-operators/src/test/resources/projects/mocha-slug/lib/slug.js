'use strict';
/** "Hello, World!" -> "hello-world" */
function slug(title) {
  return title.toLowerCase().replace(/[^a-z0-9]/g, '-').replace(/^-+|-+$/g, '');
}
module.exports = { slug };
