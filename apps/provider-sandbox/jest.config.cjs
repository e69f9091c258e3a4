module.exports = {
  displayName: 'provider-sandbox',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
