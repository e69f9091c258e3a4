module.exports = {
  displayName: 'tools-connector-generator',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
