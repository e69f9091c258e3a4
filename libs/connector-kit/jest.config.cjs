module.exports = {
  displayName: 'connector-kit',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
