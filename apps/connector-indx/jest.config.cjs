module.exports = {
  displayName: 'connector-indx',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
