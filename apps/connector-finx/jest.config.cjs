module.exports = {
  displayName: 'connector-finx',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
