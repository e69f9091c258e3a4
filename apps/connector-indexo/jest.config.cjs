module.exports = {
  displayName: 'connector-indexo',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
