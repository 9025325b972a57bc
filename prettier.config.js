// @ts-check
// The style the code was written in before prettier came: long lines rather than wrapped ones,
// single quotes, trailing commas. YAML keeps double quotes, as compose files usually have them.
/** @type {import('prettier').Config} */
module.exports = {
  printWidth: 180,
  singleQuote: true,
  trailingComma: 'all',
  overrides: [{ files: ['*.yml', '*.yaml'], options: { singleQuote: false } }],
};
