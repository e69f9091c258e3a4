module.exports = {
  displayName: 'connector-findigi',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
