module.exports = {
  displayName: 'tools-build',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
