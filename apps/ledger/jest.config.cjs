module.exports = {
  displayName: 'ledger',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
