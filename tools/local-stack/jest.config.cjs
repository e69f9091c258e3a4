module.exports = {
  displayName: 'tools-local-stack',
  preset: '../../jest.preset.cjs',
  rootDir: __dirname,
};
