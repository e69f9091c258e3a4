module.exports = {
  displayName: 'connector-indodax',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
